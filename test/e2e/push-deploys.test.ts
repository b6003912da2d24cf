/**
 * The walking skeleton end to end (issue 2): `dockhand serve` on a real git
 * remote, two real Docker engines, the private Redis and the built-in proxy.
 * A signed push webhook rolls web across both hosts; api is untouched; a
 * broken config changes nothing.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts } from "../../src/docker/index.js";
import type { ObservedContainer } from "../../src/model/index.js";
import { createDeployRepo, type TestDeployRepo } from "../support/deploy-repo.js";
import { type DockhandProcess, runCli, startDockhand } from "../support/dockhand-process.js";
import { freePort } from "../support/free-port.js";
import { deliver, pushPayload } from "../support/github-webhook.js";
import { removeContainersOf } from "../support/instance-containers.js";
import { proxyGet } from "../support/proxy-get.js";
import { testbedHosts } from "../support/testbed.js";
import { waitFor } from "../support/wait-for.js";

const SECRET = "e2e-secret";
const GITHUB_REPO = "acme/deploy";
const instance = `e2e${randomUUID().slice(0, 6)}`;
const docker = createDockerHosts(testbedHosts());

let repo: TestDeployRepo;
let serve: DockhandProcess;
let proxyPort: number;
let httpPort: number;
let env: Record<string, string>;

async function running(app: string): Promise<ObservedContainer[]> {
  const observed = await docker.observe(instance);
  return observed.hosts.flatMap((h) => h.containers).filter((c) => c.app === app && c.state === "running");
}

/** Bodies of `n` requests in a row through the proxy: round robin visits every replica. */
async function bodies(host: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await proxyGet(proxyPort, host)).body.trim());
  return out;
}

beforeAll(async () => {
  proxyPort = await freePort();
  httpPort = await freePort();
  repo = createDeployRepo();
  repo.edit("dockhand.yaml", (t) => t.replace("listen: 127.0.0.1:8080", `listen: 127.0.0.1:${proxyPort}`));
  repo.push("test proxy port");
  env = {
    DOCKHAND_REPO: repo.remote,
    DOCKHAND_GITHUB_REPO: GITHUB_REPO,
    DOCKHAND_WEBHOOK_SECRET: SECRET,
    DOCKHAND_STATE_DIR: `${repo.root}/state`,
    DOCKHAND_HTTP_PORT: String(httpPort),
    DOCKHAND_INSTANCE: instance,
    REDIS_URL: "",
  };
  serve = startDockhand(["serve"], env);
  // The startup sync deploys the seeded repo.
  await waitFor(
    "the first deploy to serve web and api",
    async () => {
      const web = await proxyGet(proxyPort, "web.localhost");
      const api = await proxyGet(proxyPort, "api.localhost");
      return web.status === 200 && api.status === 200 && (await running("web")).length === 3;
    },
    { timeoutMs: 120_000 },
  );
});

afterAll(async () => {
  await serve?.stop();
  await removeContainersOf(docker, instance);
  await docker.close();
});

describe("a push deploys onto two real Docker hosts behind the built-in proxy", () => {
  it("spreads web's 3 replicas over both hosts and routes each hostname", async () => {
    const web = await running("web");
    expect(new Set(web.map((c) => c.host))).toEqual(new Set(["alpha", "beta"]));
    expect((await running("api")).length).toBe(2);
    expect(await bodies("web.localhost", 6)).toEqual(Array(6).fill("<h1>Hello from web</h1>"));
    expect((await proxyGet(proxyPort, "nobody.localhost")).status).toBe(404);
  });

  it("rolls web to the pushed page text on every replica and leaves api alone", async () => {
    const apiBefore = (await running("api")).map((c) => c.id).sort();
    const webBefore = (await running("web")).map((c) => c.id);
    repo.edit("services/web/www/index.html", () => "<h1>Hello again</h1>\n");
    const sha = repo.push("new page text");
    const answer = await deliver(
      `http://127.0.0.1:${httpPort}/webhooks/github`,
      "push",
      pushPayload(GITHUB_REPO, "refs/heads/main", sha),
      SECRET,
    );
    expect(answer.status).toBe(202);

    await waitFor(
      "all web replicas to run the new commit",
      async () => {
        const web = await running("web");
        return web.length === 3 && web.every((c) => c.commit === sha);
      },
      { timeoutMs: 120_000 },
    );
    expect(await bodies("web.localhost", 9)).toEqual(Array(9).fill("<h1>Hello again</h1>"));
    const web = await running("web");
    expect(new Set(web.map((c) => c.host))).toEqual(new Set(["alpha", "beta"]));
    const all = (await docker.observe(instance)).hosts.flatMap((h) => h.containers);
    // The old version is kept stopped for `dockhand rollback` (issue 4): retired, serving nothing.
    const old = all.filter((c) => webBefore.includes(c.id));
    expect(old.map((c) => [c.state, c.retiredAt !== undefined])).toEqual(webBefore.map(() => ["exited", true]));
    expect((await running("api")).map((c) => c.id).sort()).toEqual(apiBefore);
  });

  it("finds nothing to do after a successful apply (plan --detailed-exitcode exits 0)", async () => {
    const plan = await runCli(["plan", "--repo", repo.remote, "--ref", "main", "--detailed-exitcode"], env);
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(0);
  });

  it("leaves everything running when a push breaks apps/web.yaml, and logs file:line:col and key", async () => {
    const before = (await docker.observe(instance)).hosts
      .flatMap((h) => h.containers)
      .map((c) => c.id)
      .sort();
    repo.edit("apps/web.yaml", (t) => t.replace("replicas: 3", "replicas: three"));
    const sha = repo.push("broken replicas");
    await deliver(
      `http://127.0.0.1:${httpPort}/webhooks/github`,
      "push",
      pushPayload(GITHUB_REPO, "refs/heads/main", sha),
      SECRET,
    );
    const problem = await waitFor("the config error in the log", () =>
      serve
        .logged("deploy repo is invalid")
        .find((l) => String(l.sha ?? "").length > 0 && sha.startsWith(String(l.sha))),
    );
    expect(String(problem.issue)).toMatch(/^apps\/web\.yaml:3:11 replicas: /);
    const after = (await docker.observe(instance)).hosts
      .flatMap((h) => h.containers)
      .map((c) => c.id)
      .sort();
    expect(after).toEqual(before);
    expect(await bodies("web.localhost", 3)).toEqual(Array(3).fill("<h1>Hello again</h1>"));
  });
});
