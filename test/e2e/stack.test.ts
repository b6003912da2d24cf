/**
 * A whole stack from one push (issue 13): `dockhand serve` on a real git
 * remote and both engines. A database (real redis-server, built offline)
 * pinned to beta on a fixed host port with its data on a per-slot volume, a
 * web app on both hosts that reads it through `${apps.db.host}` and
 * `${apps.db.port}`, and a worker without a port that writes to it in a loop.
 * A change to the database rolls it with recreate: the engine's events show
 * never two database containers at once, and its data survives.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts } from "../../src/docker/index.js";
import type { ObservedContainer } from "../../src/model/index.js";
import { rawEngines } from "../integration/docker/docker-fixtures.js";
import { removeInstance } from "../integration/rollout/rollout-fixtures.js";
import { createSourceRepo, type TestDeployRepo } from "../support/deploy-repo.js";
import { type DockhandProcess, runCli, startDockhand } from "../support/dockhand-process.js";
import { watchRunning } from "../support/engine-events.js";
import { freePort } from "../support/free-port.js";
import { deliverPush } from "../support/github-webhook.js";
import { proxyGet } from "../support/proxy-get.js";
import { ensureRedisImage } from "../support/redis-image.js";
import { bridgeGateway, type StackOptions, stackFiles, WEB_HOST } from "../support/stack-repo.js";
import { testbedHosts } from "../support/testbed.js";
import { waitFor } from "../support/wait-for.js";

const SECRET = "stack-secret";
const GITHUB_REPO = "acme/stack";
const instance = `stk${randomUUID().slice(0, 6)}`;
const docker = createDockerHosts(testbedHosts());
const engines = rawEngines();

let repo: TestDeployRepo;
let serve: DockhandProcess;
let httpPort: number;
let options: StackOptions;
let env: Record<string, string>;

async function running(app: string): Promise<ObservedContainer[]> {
  const observed = await docker.observe(instance);
  return observed.hosts
    .flatMap((h) => h.containers)
    .filter((c) => c.app === app && c.state === "running" && c.retiredAt === undefined);
}

/** What the web app reads from the database: the worker's counter. */
async function counter(): Promise<number> {
  const { status, body } = await proxyGet(options.proxyPort, WEB_HOST, "/cgi-bin/count");
  const value = Number(body.trim());
  return status === 200 && body.trim() !== "" && Number.isInteger(value) ? value : -1;
}

function writeFiles(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(repo.work, path)), { recursive: true });
    writeFileSync(join(repo.work, path), text);
  }
}

async function push(message: string, edit: (files: Record<string, string>) => void): Promise<string> {
  const files = stackFiles(options);
  edit(files);
  writeFiles(files);
  const sha = repo.push(message);
  expect((await deliverPush(httpPort, GITHUB_REPO, sha, SECRET)).status).toBe(202);
  return sha;
}

beforeAll(async () => {
  const image = await ensureRedisImage(docker);
  const gateways = { alpha: await bridgeGateway(engines.alpha), beta: await bridgeGateway(engines.beta) };
  options = { image, gateways, dbPort: await freePort(gateways.beta), proxyPort: await freePort() };
  httpPort = await freePort();
  // The first commit has hosts and no app; the stack arrives with one push.
  repo = createSourceRepo({ "dockhand.yaml": stackFiles(options)["dockhand.yaml"] ?? "" }, "deploy");
  env = {
    DOCKHAND_REPO: repo.remote,
    DOCKHAND_GITHUB_REPO: GITHUB_REPO,
    DOCKHAND_WEBHOOK_SECRET: SECRET,
    DOCKHAND_STATE_DIR: `${repo.root}/state`,
    DOCKHAND_HTTP_PORT: String(httpPort),
    DOCKHAND_INSTANCE: instance,
    DOCKHAND_POLL_INTERVAL: "0",
    REDIS_URL: "",
  };
  serve = startDockhand(["serve"], env);
  await waitFor("the startup sync", () => serve.logged("sync finished").length > 0, { timeoutMs: 60_000 });
}, 120_000);

afterAll(async () => {
  if (process.env.DOCKHAND_TEST_LOG) for (const line of serve?.lines ?? []) console.log(JSON.stringify(line));
  await serve?.stop();
  await removeInstance(instance);
  await docker.close();
});

describe("a stack of web app, worker and database", () => {
  it("deploys from one push: all run, and the web app reads what the worker wrote", async () => {
    await push("the stack", () => undefined);
    await waitFor(
      "both web replicas, and the worker's writes through them",
      async () => (await running("web")).length === 2 && (await counter()) > 0,
      { timeoutMs: 120_000 },
    );
    const [db] = await running("db");
    expect(db).toMatchObject({ host: "beta", hostPort: options.dbPort, publishedOn: [options.gateways.beta] });
    expect(new Set((await running("web")).map((c) => c.host))).toEqual(new Set(["alpha", "beta"]));
    const [worker] = await running("worker");
    expect(worker?.hostPort).toBeUndefined();
    const before = await counter();
    await waitFor("the counter to grow", async () => (await counter()) > before, { timeoutMs: 10_000 });
  }, 180_000);

  it("rolls the database with recreate: never two at once, its data survives, its dependents see it again", async () => {
    await waitFor("a few writes", async () => (await counter()) >= 10, { timeoutMs: 30_000 });
    const [old] = await running("db");
    const dependents = [...(await running("web")), ...(await running("worker"))].map((c) => c.id).sort();
    const watch = await watchRunning(engines.beta, { instance, app: "db" }, [old?.id ?? ""]);
    const written = await counter();
    const sha = await push("a new database generation", (files) => {
      files["apps/db.yaml"] = stackFiles({ ...options, generation: 2 })["apps/db.yaml"] ?? "";
    });
    await waitFor(
      "the new database to serve",
      async () => {
        const dbs = await running("db");
        return dbs.length === 1 && dbs[0]?.commit === sha && (await counter()) >= written;
      },
      { timeoutMs: 120_000 },
    );
    const events = watch.stop();
    expect(events.maxRunning).toBe(1);
    expect(events.log.map((e) => e.split(" ")[0])).toEqual(["die", "start"]);
    // The counter went on from where it was: the new server opened the old one's volume.
    expect(await counter()).toBeGreaterThanOrEqual(written);
    const after = await counter();
    await waitFor("the worker to write again", async () => (await counter()) > after, { timeoutMs: 20_000 });
    // Nothing they reference moved: they were not rolled.
    const still = [...(await running("web")), ...(await running("worker"))].map((c) => c.id).sort();
    expect(still).toEqual(dependents);
  }, 180_000);

  it("plans nothing on a second look", async () => {
    const plan = await runCli(["plan", "--repo", repo.remote, "--ref", "main", "--detailed-exitcode"], env);
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(0);
  });

  it("refuses to move the database to another host by placement: its data would stay behind", async () => {
    const files = stackFiles({ ...options, generation: 2 });
    files["apps/db.yaml"] = (files["apps/db.yaml"] ?? "").replace("hosts: [beta]", "hosts: [alpha]");
    writeFiles(files);
    repo.push("move the database");
    const plan = await runCli(["plan", "--repo", repo.remote, "--ref", "main"], env);
    expect(plan.stdout).toMatch(
      /! error\s+db\s+production\s+moving slot 0 beta → alpha would lose data: its volume "data" does not move with it/,
    );
    const allowed = await runCli(["plan", "--repo", repo.remote, "--ref", "main", "--allow-data-move"], env);
    expect(allowed.stdout).toContain(
      '! app db (production) moves slot 0 beta → alpha: its volume "data" does not move with it: the new container starts on an empty one (allowed)',
    );
    expect(allowed.stdout).toMatch(/~ replace\s+web\s+production\s+slot 0\s+\w+\s+env KV_HOST changed/);
  });
});
