/**
 * kill -9 of the worker rolling a database with recreate, at points across
 * its stop, start and health wait: two `dockhand worker` processes share one
 * Redis, the one running the sync dies, the survivor takes over once the
 * locks expire. Through every crash the engine's events must show never two
 * database containers running at once (one per-slot volume), and each time
 * the system converges to the pushed commit with the data kept.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawEngines } from "../integration/docker/docker-fixtures.js";
import { cleanUp, containersOf, newInstance, testbedDocker } from "../integration/queue/queue-fixtures.js";
import { removeInstance } from "../integration/rollout/rollout-fixtures.js";
import { createSourceRepo, git, type TestDeployRepo } from "../support/deploy-repo.js";
import { type RunningWatch, watchRunning } from "../support/engine-events.js";
import { freePort } from "../support/free-port.js";
import { ensureRedisImage } from "../support/redis-image.js";
import { bridgeGateway, type StackOptions, stackFiles } from "../support/stack-repo.js";
import { waitFor } from "../support/wait-for.js";
import { startWorkerPair, type WorkerPair } from "../support/worker-pair.js";

const instance = newInstance("sc");
const docker = testbedDocker();
const engines = rawEngines();

/** A step of the database's rollout, as it starts or once it is done: where the worker dies. */
const KILL_POINTS: Array<{ kind: string; phase: "start" | "done" }> = [
  { kind: "stop", phase: "start" },
  { kind: "stop", phase: "done" },
  { kind: "start", phase: "start" },
  { kind: "start", phase: "done" },
  { kind: "waitHealthy", phase: "start" },
];

let repo: TestDeployRepo;
let options: StackOptions;
let pair: WorkerPair;
let watch: RunningWatch;
let generation = 1;

/** The database's counter, read with Redis's inline protocol; undefined while it does not answer. */
function counter(): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: options.gateways.beta, port: options.dbPort });
    let reply = "";
    const done = (value: number | undefined) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(2_000, () => done(undefined));
    socket.on("connect", () => socket.write("GET counter\r\n"));
    socket.on("data", (data) => {
      reply += data.toString();
      if (reply.startsWith("$-1\r\n")) return done(0);
      if (reply.startsWith("-")) return done(undefined);
      const match = /^\$\d+\r\n(\d+)\r\n/.exec(reply);
      if (match) done(Number(match[1]));
    });
    socket.on("error", () => done(undefined));
    socket.on("close", () => done(undefined));
  });
}

function pushGeneration(): string {
  generation += 1;
  for (const [path, text] of Object.entries(stackFiles({ ...options, generation }))) {
    mkdirSync(dirname(join(repo.work, path)), { recursive: true });
    writeFileSync(join(repo.work, path), text);
  }
  return repo.push(`database generation ${generation}`);
}

/** What is wrong, or "" once the database runs `sha` alone, routed, and answers. */
async function divergence(sha: string): Promise<string> {
  const busy = await pair.queueBusy();
  if (busy) return busy;
  const dbs = (await containersOf(docker, instance)).filter((c) => c.app === "db");
  const live = dbs.filter((c) => c.retiredAt === undefined && c.state === "running");
  if (live.length !== 1 || live[0]?.commit !== sha) {
    return `running: ${live.map((c) => `${c.name} ${c.commit.slice(0, 7)}`).join(", ") || "none"}`;
  }
  const route = (await pair.routes.load()).routes.find((r) => r.app === "db" && r.env === "production");
  const upstreams = (route?.upstreams ?? []).map((u) => `${u.container}:${u.state}`);
  if (upstreams.join() !== `${live[0].name}:active`) return `route ${upstreams.join()} ≠ ${live[0].name}`;
  return (await counter()) === undefined ? "the database does not answer" : "";
}

const converge = (sha: string) => pair.converge(`convergence at ${sha.slice(0, 7)}`, () => divergence(sha));

async function watchDatabase(): Promise<RunningWatch> {
  const [db] = (await containersOf(docker, instance)).filter((c) => c.app === "db" && c.state === "running");
  return watchRunning(engines.beta, { instance, app: "db" }, [db?.id ?? ""]);
}

beforeAll(async () => {
  const image = await ensureRedisImage(docker);
  const gateways = { alpha: await bridgeGateway(engines.alpha), beta: await bridgeGateway(engines.beta) };
  options = { image, gateways, dbPort: await freePort(gateways.beta), proxyPort: await freePort() };
  repo = createSourceRepo(stackFiles(options), "deploy");
  pair = await startWorkerPair({ remote: repo.remote, root: repo.root, instance });
  await pair.queue.enqueue({ trigger: "startup", env: "production" });
  await converge(git(repo.work, "rev-parse", "HEAD"));
  await waitFor("the worker's first writes", async () => ((await counter()) ?? 0) > 5, { timeoutMs: 30_000 });
  watch = await watchDatabase();
}, 180_000);

afterAll(async () => {
  watch?.stop();
  await pair?.close();
  await cleanUp(instance, docker);
  await removeInstance(instance);
  await docker.close();
});

describe("kill -9 of the worker rolling a database with recreate", () => {
  it.each(KILL_POINTS.map((p, i) => [i + 1, p] as const))(
    "point %i (%o): never two database containers, and it converges with the data kept",
    async (_point, { kind, phase }) => {
      const before = (await counter()) ?? 0;
      const sha = pushGeneration();
      const marks = pair.workers.map((w) => w.lines.length);
      await pair.queue.enqueue({ trigger: "push", env: "production", sha });
      pair.replace(await pair.stepSeen({ kind, phase, app: "db" }, marks));
      await converge(sha);
      expect(((await counter()) ?? 0) >= before).toBe(true);
      const seen = watch.stop();
      expect(seen.maxRunning, seen.log.join(", ")).toBe(1);
      watch = await watchDatabase();
    },
    120_000,
  );
});
