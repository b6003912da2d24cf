/**
 * The queue against the real things: a sync queue and worker in this process
 * on the test bed's Redis (keys under a fresh instance), a real git remote
 * and the two test bed engines. A small deploy repo (web only) keeps rollouts
 * short.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Job } from "bullmq";
import { Redis } from "ioredis";
import { type Logger, pino } from "pino";
import { createDockerHosts } from "../../../src/docker/index.js";
import { openRepo } from "../../../src/git/index.js";
import type { DeployOutcome, DockerPort, RepoPort } from "../../../src/model/index.js";
import { RedisRouteStore } from "../../../src/proxy/index.js";
import { type QueuedSync, SyncQueue } from "../../../src/worker/queue/sync-queue.js";
import { SyncWorker } from "../../../src/worker/queue/sync-worker.js";
import { createDeployRepo, type TestDeployRepo } from "../../support/deploy-repo.js";
import { removeContainersOf } from "../../support/instance-containers.js";
import { testbed, testbedHosts } from "../../support/testbed.js";
import { waitFor } from "../../support/wait-for.js";

// The queue tests import it from here with the rest of their fixtures.
export { containersOf } from "../../support/instance-containers.js";

export type LogLine = Record<string, unknown> & { msg: string; time: number };

export function newInstance(tag: string): string {
  return `${tag}${randomUUID().slice(0, 6)}`;
}

/** BullMQ's prefix for an instance, as src/main.ts names it. */
export function queuePrefix(instance: string): string {
  return `dockhand:${instance}:bull`;
}

export interface SmallRepoOptions {
  replicas?: number;
  drain?: string;
  /** Health `within`; a short one makes a failing health gate fail fast. */
  within?: string;
}

/** The example deploy repo with web alone (api removed): fewer containers, faster rollouts. */
export function smallRepo(options: SmallRepoOptions = {}): TestDeployRepo {
  const repo = createDeployRepo((work) => rmSync(join(work, "apps", "api.yaml")));
  repo.edit("apps/web.yaml", (t) =>
    t
      .replace("replicas: 3", `replicas: ${options.replicas ?? 2}`)
      .replace("drain: 1s", `drain: ${options.drain ?? "200ms"}`)
      // A short stable period: the health gate's default 2 s would dominate every rollout here.
      .replace("within: 30s", `within: ${options.within ?? "30s"}, stable: 200ms`),
  );
  repo.push("small test repo");
  return repo;
}

/** A new commit that changes web's environment: a rolling replace without a build. */
export function pushGreeting(repo: TestDeployRepo, greeting: string): string {
  repo.edit("apps/web.yaml", (t) => t.replace(/GREETING: .*/, `GREETING: ${greeting}`));
  return repo.push(`greeting ${greeting}`);
}

export interface Harness {
  instance: string;
  prefix: string;
  repo: RepoPort;
  queue: SyncQueue;
  worker: SyncWorker;
  routes: RedisRouteStore;
  redis: Redis;
  log: Logger;
  logs: LogLine[];
  logged(msg: string): LogLine[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  instance?: string;
  lockTtlMs?: number;
  jobTimeoutMs?: number;
  redisUrl?: string;
  /** Start without a worker (jobs stay pending). */
  noWorker?: boolean;
}

export function connect(url: string): Redis {
  const unix = /^redis\+unix:\/\/(.+)$/.exec(url);
  const client = unix?.[1]
    ? new Redis({ path: unix[1], maxRetriesPerRequest: null })
    : new Redis(url, { maxRetriesPerRequest: null });
  client.on("error", () => undefined);
  return client;
}

export async function startHarness(remote: string, options: HarnessOptions = {}): Promise<Harness> {
  const instance = options.instance ?? newInstance("q");
  const prefix = queuePrefix(instance);
  const url = options.redisUrl ?? testbed().redisUrl;
  const logs: LogLine[] = [];
  const log = pino({ level: "info" }, { write: (line: string) => logs.push(JSON.parse(line) as LogLine) });
  const cacheDir = mkdtempSync(join(tmpdir(), "dockhand-queue-git-"));
  const repo = await openRepo({ repo: remote, branch: "main", cacheDir });
  const redis = connect(url);
  const routes = new RedisRouteStore({ redis: connect(url), prefix: `dockhand:${instance}:` });
  const queue = new SyncQueue(connect(url), prefix, { jobTimeoutMs: options.jobTimeoutMs });
  const worker = options.noWorker
    ? undefined
    : new SyncWorker({
        connection: connect(url),
        prefix,
        log,
        lockTtlMs: options.lockTtlMs,
        deps: { repo, routes, instance, log, dockerFor: (hosts) => createDockerHosts(hosts) },
      });
  return {
    instance,
    prefix,
    repo,
    queue,
    worker: worker as SyncWorker,
    routes,
    redis,
    log,
    logs,
    logged: (msg) => logs.filter((l) => l.msg === msg),
    async close() {
      await worker?.stop(0);
      await queue.close();
      await routes.close();
      redis.disconnect();
      // A sync handed back by stop(0) may still have a git fetch writing into the mirror: removal
      // succeeds once that git has finished (under load, seconds later).
      await waitFor(
        "the git mirror to be removed",
        () => {
          try {
            rmSync(cacheDir, { recursive: true, force: true });
            return true;
          } catch {
            return undefined;
          }
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
    },
  };
}

/** Every container of `instance` on the test bed, stopped ones included. */
export function testbedDocker(): DockerPort {
  return createDockerHosts(testbedHosts());
}

/** Removes an instance's containers and Redis keys (the test bed is shared). */
export async function cleanUp(instance: string, docker: DockerPort, url = testbed().redisUrl): Promise<void> {
  await removeContainersOf(docker, instance);
  const redis = connect(url);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `dockhand:${instance}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/** The job data of every sync job the worker started, in order. */
export function syncsStarted(h: Harness): Array<QueuedSync & { job: string }> {
  return h.logged("sync started").map((l) => ({ ...(l as unknown as QueuedSync), job: String(l.job) }));
}

/** The job once it completed or failed. */
export async function finished(queue: SyncQueue, jobId: string): Promise<Job<QueuedSync, DeployOutcome>> {
  return waitFor(
    `job ${jobId} to finish`,
    async () => {
      // State first, then the job: a job read before it finished would lack finishedOn.
      const state = await queue.queue.getJobState(jobId);
      if (state !== "completed" && state !== "failed") return undefined;
      return queue.queue.getJob(jobId);
    },
    { timeoutMs: 90_000 },
  );
}
