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
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUEUE_NAMES } from "../../src/model/index.js";
import { RedisRouteStore } from "../../src/proxy/index.js";
import { SyncQueue } from "../../src/worker/sync-queue.js";
import { rawEngines } from "../integration/docker/docker-fixtures.js";
import { cleanUp, containersOf, newInstance, queuePrefix, testbedDocker } from "../integration/queue/queue-fixtures.js";
import { createSourceRepo, git, type TestDeployRepo } from "../support/deploy-repo.js";
import { type DockhandProcess, startDockhand } from "../support/dockhand-process.js";
import { type RunningWatch, watchRunning } from "../support/engine-events.js";
import { freePort } from "../support/free-port.js";
import { ensureRedisImage } from "../support/redis-image.js";
import { bridgeGateway, type StackOptions, stackFiles } from "../support/stack-repo.js";
import { testbed } from "../support/testbed.js";
import { waitFor } from "../support/wait-for.js";

const instance = newInstance("sc");
const docker = testbedDocker();
const engines = rawEngines();

/** The n-th step of a kind of the database's rollout, as it starts or once it is done: where the worker dies. */
const KILL_POINTS: Array<{ kind: string; phase: "start" | "done" }> = [
  { kind: "stop", phase: "start" },
  { kind: "stop", phase: "done" },
  { kind: "start", phase: "start" },
  { kind: "start", phase: "done" },
  { kind: "waitHealthy", phase: "start" },
];

let repo: TestDeployRepo;
let options: StackOptions;
let env: Record<string, string>;
let workers: DockhandProcess[] = [];
let started = 0;
let redis: Redis;
let queue: SyncQueue;
let bull: Queue;
let routes: RedisRouteStore;
let watch: RunningWatch;
let generation = 1;

function startWorker(): DockhandProcess {
  started += 1;
  const worker = startDockhand(["worker"], { ...env, DOCKHAND_STATE_DIR: `${repo.root}/w${started}` });
  workers.push(worker);
  return worker;
}

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
  const counts = await bull.getJobCounts("active", "waiting", "delayed", "prioritized");
  if (Object.values(counts).some((n) => n > 0)) return `queue busy ${JSON.stringify(counts)}`;
  const dbs = (await containersOf(docker, instance)).filter((c) => c.app === "db");
  const live = dbs.filter((c) => c.retiredAt === undefined && c.state === "running");
  if (live.length !== 1 || live[0]?.commit !== sha) {
    return `running: ${live.map((c) => `${c.name} ${c.commit.slice(0, 7)}`).join(", ") || "none"}`;
  }
  const route = (await routes.load()).routes.find((r) => r.app === "db" && r.env === "production");
  const upstreams = (route?.upstreams ?? []).map((u) => `${u.container}:${u.state}`);
  if (upstreams.join() !== `${live[0].name}:active`) return `route ${upstreams.join()} ≠ ${live[0].name}`;
  return (await counter()) === undefined ? "the database does not answer" : "";
}

async function converge(sha: string): Promise<void> {
  let last = "";
  await waitFor(
    `convergence at ${sha.slice(0, 7)}`,
    async () => {
      last = await divergence(sha);
      return last === "";
    },
    { timeoutMs: 60_000, intervalMs: 300 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last seen: ${last}`);
  });
}

beforeAll(async () => {
  const image = await ensureRedisImage(docker);
  const gateways = { alpha: await bridgeGateway(engines.alpha), beta: await bridgeGateway(engines.beta) };
  options = { image, gateways, dbPort: await freePort(gateways.beta), proxyPort: await freePort() };
  repo = createSourceRepo(stackFiles(options), "deploy");
  env = {
    DOCKHAND_REPO: repo.remote,
    REDIS_URL: testbed().redisUrl,
    DOCKHAND_INSTANCE: instance,
    DOCKHAND_POLL_INTERVAL: "0",
    // A killed worker's job and locks are taken over after this long.
    DOCKHAND_LOCK_TTL: "1500ms",
  };
  redis = new Redis(testbed().redisUrl, { maxRetriesPerRequest: null });
  queue = new SyncQueue(redis, queuePrefix(instance));
  bull = new Queue(QUEUE_NAMES.sync, { connection: redis, prefix: queuePrefix(instance) });
  routes = new RedisRouteStore({ redis: redis.duplicate(), prefix: `dockhand:${instance}:` });
  startWorker();
  startWorker();
  await waitFor("both workers to start", () => workers.every((w) => w.logged("dockhand worker started").length > 0), {
    timeoutMs: 30_000,
  });
  await queue.enqueue({ trigger: "startup", env: "production" });
  const head = git(repo.work, "rev-parse", "HEAD");
  await queue.enqueue({ trigger: "push", env: "production", sha: head });
  await converge(head);
  await waitFor("the worker's first writes", async () => ((await counter()) ?? 0) > 5, { timeoutMs: 30_000 });
  const [db] = (await containersOf(docker, instance)).filter((c) => c.app === "db" && c.state === "running");
  watch = await watchRunning(engines.beta, { instance, app: "db" }, [db?.id ?? ""]);
}, 180_000);

afterAll(async () => {
  watch?.stop();
  for (const w of workers) await w.stop("SIGKILL");
  await routes?.close();
  await bull?.close();
  await queue?.close();
  redis?.disconnect();
  await cleanUp(instance, docker);
  for (const engine of Object.values(engines)) {
    const { Volumes } = await engine.listVolumes({ filters: { label: [`dockhand.instance=${instance}`] } });
    await Promise.all((Volumes ?? []).map((v) => engine.getVolume(v.Name).remove({ force: true })));
  }
  await docker.close();
});

describe("kill -9 of the worker rolling a database with recreate", () => {
  it.each(KILL_POINTS.map((p, i) => [i + 1, p] as const))(
    "point %i (%o): never two database containers, and it converges with the data kept",
    async (_point, { kind, phase }) => {
      const before = (await counter()) ?? 0;
      const sha = pushGeneration();
      const marks = workers.map((w) => w.lines.length);
      await queue.enqueue({ trigger: "push", env: "production", sha });
      const victim = await waitFor(
        `step ${kind} of db (${phase})`,
        () =>
          workers.find((w, i) => {
            const steps = w.lines
              .slice(marks[i])
              .filter(
                (l) =>
                  l.msg === "rollout step" &&
                  l.app === "db" &&
                  String(l.step).split(" ")[0] === kind &&
                  l.phase === phase,
              );
            return steps.length > 0 && w.child.exitCode === null && w.child.signalCode === null;
          }),
        { timeoutMs: 60_000, intervalMs: 5 },
      );
      victim.child.kill("SIGKILL");
      workers = workers.filter((w) => w !== victim);
      startWorker();
      await converge(sha);
      expect(((await counter()) ?? 0) >= before).toBe(true);
      const seen = watch.stop();
      expect(seen.maxRunning, seen.log.join(", ")).toBe(1);
      const [db] = (await containersOf(docker, instance)).filter((c) => c.app === "db" && c.state === "running");
      watch = await watchRunning(engines.beta, { instance, app: "db" }, [db?.id ?? ""]);
    },
    120_000,
  );
});
