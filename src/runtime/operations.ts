/**
 * Wiring of issue 8 for the long-running processes: every sync worker
 * records its syncs into the deploy history, and `dockhand serve` builds the
 * status source, metrics source and proxy traffic counter for src/http.
 */
import type { Queue, Worker } from "bullmq";
import type { Logger } from "pino";
import { createDockerHosts } from "../docker/index.js";
import { AdminAuth, type OperationsOptions } from "../http/index.js";
import type { DeployOutcome, RepoPort, RouteStore, SyncJob } from "../model/index.js";
import { DeployHistory } from "../worker/history/deploy-history.js";
import { recordSyncs, type SyncRecorder } from "../worker/history/record-syncs.js";
import { RedisPreviewRegistry } from "../worker/previews/redis-preview-registry.js";
import { RedisSyncHolds } from "../worker/queue/sync-holds.js";
import type { QueuedSync } from "../worker/queue/sync-queue.js";
import { parseInThread } from "../worker/sync/parse-in-thread.js";
import type { SyncDeps } from "../worker/sync/run-sync.js";
import { connectRedis } from "./connect-redis.js";
import type { DockhandEnv } from "./env.js";
import { type DesiredResult, holdStatus, LiveStatus, previewStatus } from "./live-status.js";
import { ProxyTrafficCounter } from "./proxy-traffic.js";
import { readQueue, readSeenCommits } from "./queue-view.js";
import { redisPrefix } from "./redis-for.js";
import { RedisSessionStore } from "./redis-session-store.js";

/** Without a fresher record, the tracked branch is read again at most this often for the desired state. */
const BRANCH_REREAD_MS = 60_000;
/** A session lookup waits at most this long for Redis: a request then fails rather than hangs. */
const SESSION_COMMAND_TIMEOUT_MS = 2_000;

export interface DeployRecording {
  deps: Pick<SyncDeps, "approve" | "onStep">;
  onOutcome: SyncRecorder["onOutcome"];
  /** Listens to the worker's `active` and `failed` events. */
  attach<T extends SyncJob>(worker: Worker<T, DeployOutcome>): void;
  close(): Promise<void>;
}

export function recordDeploys(env: DockhandEnv, redisUrl: string, log: Logger): DeployRecording {
  const connection = connectRedis(redisUrl);
  const history = new DeployHistory(connection, {
    prefix: redisPrefix(env),
    onError: (err) => log.warn({ err: err.message }, "deploy history not written"),
  });
  const recorder = recordSyncs(history);
  return {
    deps: { approve: recorder.approve, onStep: recorder.onStep },
    onOutcome: recorder.onOutcome,
    attach(worker) {
      worker.on("active", (job) => recorder.onActive(job.data));
      worker.on("failed", (job, err) => recorder.onFailed(job?.data, err));
    },
    close: async () => {
      await recorder.settled();
      connection.disconnect();
    },
  };
}

export interface ServeOperationsInput {
  env: DockhandEnv;
  log: Logger;
  redisUrl: string;
  repo: RepoPort;
  queue: Queue<QueuedSync>;
  routes: RouteStore;
  /** Local ports of the built-in proxy, whose answers /metrics counts. */
  proxyPorts: number[];
}

export interface ServeOperations {
  routes: OperationsOptions;
  close(): Promise<void>;
}

export async function serveOperations(input: ServeOperationsInput): Promise<ServeOperations> {
  const { env, log } = input;
  const connection = connectRedis(input.redisUrl);
  const history = new DeployHistory(connection, { prefix: redisPrefix(env) });
  const holds = new RedisSyncHolds(connection, redisPrefix(env));
  const previews = new RedisPreviewRegistry(connection, redisPrefix(env));
  const status = new LiveStatus({
    instance: env.instance,
    desired: desiredLoader(input.repo, history),
    dockerFor: (hosts) => createDockerHosts(hosts),
    history,
    queue: () => readQueue(input.queue),
    holds: async () => (await holds.list()).map(holdStatus),
    previews: async () => (await previews.list()).map(previewStatus),
  });
  const traffic = new ProxyTrafficCounter(new Set(input.proxyPorts));
  const unfollow = await traffic.follow(input.routes);
  const sessionConnection = connectRedis(input.redisUrl, { commandTimeout: SESSION_COMMAND_TIMEOUT_MS });
  const auth = new AdminAuth({
    token: env.adminToken,
    sessions: new RedisSessionStore(sessionConnection, redisPrefix(env)),
    sessionTtlMs: env.http.sessionTtlMs,
    secureCookies: env.http.secureCookies,
  });
  return {
    routes: {
      auth,
      metricsToken: env.http.metricsToken,
      status,
      metrics: {
        deployStats: () => history.stats(),
        seenCommits: () => readSeenCommits(input.queue),
        proxyTraffic: () => traffic.read(),
      },
      onError: (err) => log.warn({ err: err.message }, "dashboard render failed"),
    },
    close: async () => {
      await unfollow();
      traffic.close();
      await status.close();
      connection.disconnect();
      sessionConnection.disconnect();
    },
  };
}

/**
 * The desired state the status compares against: the deploy repo at the
 * commit of the last sync that validated (no fetch: the mirror has it), else
 * the tracked branch, read again at most once a minute.
 */
export function desiredLoader(repo: RepoPort, history: DeployHistory): () => Promise<DesiredResult> {
  let cached: { sha: string; result: DesiredResult } | undefined;
  let head: { at: number; result: Promise<DesiredResult> } | undefined;
  const parseAt = async (ref?: string): Promise<DesiredResult> => {
    try {
      return { desired: await parseInThread(await repo.snapshot(ref)) };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  };
  return async () => {
    const sha = await lastGoodSha(history).catch(() => undefined);
    if (sha && cached?.sha === sha) return cached.result;
    if (sha) {
      const result = await parseAt(sha);
      if (result.desired) {
        cached = { sha, result };
        return result;
      }
    }
    if (!head || Date.now() - head.at > BRANCH_REREAD_MS) head = { at: Date.now(), result: parseAt() };
    return head.result;
  };
}

async function lastGoodSha(history: DeployHistory): Promise<string | undefined> {
  const syncs = (await history.lastSyncs()).filter((s) => s.env === "production" && !s.error);
  const recent = (await history.recent(20)).filter((r) => r.env === "production" && !r.outcome.error);
  const newest = [
    ...syncs.map((s) => ({ sha: s.sha, at: s.finishedAt })),
    ...recent.map((r) => ({ sha: r.sha, at: r.finishedAt })),
  ]
    .filter((c) => /^[0-9a-f]{40,64}$/.test(c.sha))
    .sort((a, b) => b.at - a.at)[0];
  return newest?.sha;
}
