/**
 * Two `dockhand worker` processes sharing the test bed's Redis, a sync queue
 * to feed them and the route table they write: the rig of the kill -9 tests.
 * One worker is killed mid-rollout at a step it logs, a fresh one takes its
 * place, and the survivor takes the stalled job over once its lock expires.
 */
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { QUEUE_NAMES } from "../../src/model/index.js";
import { RedisRouteStore } from "../../src/proxy/index.js";
import { SyncQueue } from "../../src/worker/queue/sync-queue.js";
import { queuePrefix } from "../integration/queue/queue-fixtures.js";
import { type DockhandProcess, startDockhand } from "./dockhand-process.js";
import { testbed } from "./testbed.js";
import { waitFor } from "./wait-for.js";

export interface WorkerPair {
  workers: DockhandProcess[];
  queue: SyncQueue;
  routes: RedisRouteStore;
  /** "" when the queue has nothing running or waiting, else what it has. */
  queueBusy(): Promise<string>;
  /** Waits for a worker to log the step (`start` of `app`, if given) as it starts or ends, after `marks`. */
  stepSeen(
    step: { kind: string; nth?: number; phase: "start" | "done"; app?: string },
    marks: number[],
  ): Promise<DockhandProcess>;
  /** kill -9, and a fresh worker in its place. */
  replace(victim: DockhandProcess): void;
  /** Waits until `divergence` returns "" (what is wrong otherwise), saying what it last saw on a timeout. */
  converge(what: string, divergence: () => Promise<string>, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWorkerPair(options: {
  remote: string;
  root: string;
  instance: string;
}): Promise<WorkerPair> {
  const env = {
    DOCKHAND_REPO: options.remote,
    REDIS_URL: testbed().redisUrl,
    DOCKHAND_INSTANCE: options.instance,
    DOCKHAND_POLL_INTERVAL: "0",
    // A killed worker's job and locks are taken over after this long.
    DOCKHAND_LOCK_TTL: "1500ms",
  };
  const redis = new Redis(testbed().redisUrl, { maxRetriesPerRequest: null });
  const queue = new SyncQueue(redis, queuePrefix(options.instance));
  const bull = new Queue(QUEUE_NAMES.sync, { connection: redis, prefix: queuePrefix(options.instance) });
  const routes = new RedisRouteStore({ redis: redis.duplicate(), prefix: `dockhand:${options.instance}:` });
  let started = 0;
  const pair: WorkerPair = {
    workers: [],
    queue,
    routes,
    async queueBusy() {
      const counts = await bull.getJobCounts("active", "waiting", "delayed", "prioritized");
      return Object.values(counts).some((n) => n > 0) ? `queue busy ${JSON.stringify(counts)}` : "";
    },
    stepSeen({ kind, nth = 1, phase, app }, marks) {
      return waitFor(
        `step ${kind} #${nth} (${phase})`,
        () =>
          pair.workers.find((w, i) => {
            const steps = w.lines
              .slice(marks[i])
              .filter(
                (l) =>
                  l.msg === "rollout step" &&
                  (app === undefined || l.app === app) &&
                  String(l.step).split(" ")[0] === kind &&
                  l.phase === phase,
              );
            return steps.length >= nth && w.child.exitCode === null && w.child.signalCode === null;
          }),
        { timeoutMs: 60_000, intervalMs: 5 },
      );
    },
    replace(victim) {
      victim.child.kill("SIGKILL");
      pair.workers = pair.workers.filter((w) => w !== victim);
      startOne();
    },
    async converge(what, divergence, timeoutMs = 60_000) {
      let last = "";
      await waitFor(
        what,
        async () => {
          last = await divergence();
          return last === "";
        },
        { timeoutMs, intervalMs: 300 },
      ).catch((err: Error) => {
        throw new Error(`${err.message}; last seen: ${last}`);
      });
    },
    async close() {
      for (const w of pair.workers) await w.stop("SIGKILL");
      await routes.close();
      await bull.close();
      await queue.close();
      redis.disconnect();
    },
  };
  const startOne = () => {
    started += 1;
    pair.workers.push(startDockhand(["worker"], { ...env, DOCKHAND_STATE_DIR: `${options.root}/w${started}` }));
  };
  startOne();
  startOne();
  await waitFor(
    "both workers to start",
    () => pair.workers.every((w) => w.logged("dockhand worker started").length > 0),
    { timeoutMs: 30_000 },
  );
  return pair;
}
