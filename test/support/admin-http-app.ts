/**
 * The HTTP app of `dockhand serve` as an admin (or an attacker) meets it,
 * listening on a real port: sessions in the test bed's Redis under a prefix
 * of the caller's, the real SyncQueue behind POST /api/sync and DELETE
 * /api/jobs/:id (no worker: jobs wait), and an empty status.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { AdminAuth, buildStatus } from "../../src/http/index.js";
import { buildHttpApp } from "../../src/runtime/http-app.js";
import { RedisSessionStore } from "../../src/runtime/redis-session-store.js";
import { SyncQueue } from "../../src/worker/queue/sync-queue.js";
import { testbed } from "./testbed.js";

export interface AdminAppOptions {
  token?: string;
  /** Share one with another app to see its sessions; default: a fresh one. */
  prefix?: string;
  sessionTtlMs?: number;
  secureCookies?: boolean;
  metricsToken?: string;
}

export interface AdminApp {
  url: string;
  prefix: string;
  redis: Redis;
  queue: SyncQueue;
  /** Jobs in the queue, whatever their state. */
  jobCount(): Promise<number>;
  /** Closes the app and the queue; removes the prefix's keys unless `keepKeys`. */
  close(options?: { keepKeys?: boolean }): Promise<void>;
}

export function adminPrefix(): string {
  return `dockhand:adm${randomUUID().slice(0, 8)}:`;
}

export async function startAdminApp(options: AdminAppOptions): Promise<AdminApp> {
  const prefix = options.prefix ?? adminPrefix();
  const redis = new Redis(testbed().redisUrl, { maxRetriesPerRequest: null });
  const queue = new SyncQueue(redis, `${prefix}bull`);
  const auth = new AdminAuth({
    token: options.token,
    sessions: new RedisSessionStore(redis, prefix),
    sessionTtlMs: options.sessionTtlMs,
    secureCookies: options.secureCookies,
  });
  const app = await buildHttpApp({
    log: pino({ level: "silent" }),
    webhook: {
      secrets: ["webhook-secret"],
      repository: "acme/deploy",
      branch: "main",
      enqueueSync: (job, requestId) => queue.enqueue(job, requestId),
    },
    ready: async () => true,
    operations: {
      auth,
      metricsToken: options.metricsToken,
      status: { snapshot: async () => buildStatus({ instance: "adm", now: Date.now(), observed: { hosts: [] } }) },
      metrics: { deployStats: async () => undefined, seenCommits: async () => [] },
    },
    api: { enqueueSync: (job, requestId) => queue.enqueue(job, requestId), cancelJob: (id) => queue.cancel(id) },
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    prefix,
    redis,
    queue,
    jobCount: async () => Object.values(await queue.queue.getJobCounts()).reduce((a, b) => a + b, 0),
    close: async ({ keepKeys = false } = {}) => {
      await app.close();
      await queue.close();
      if (!keepKeys) {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
      }
      redis.disconnect();
    },
  };
}

export interface LoggedIn {
  /** `dockhand_session=<id>`, as a browser sends it back. */
  cookie: string;
  /** The whole Set-Cookie header. */
  setCookie: string;
  csrf: string;
}

/** Logs in with JSON, as a script would: the cookie and the session's CSRF token. */
export async function logIn(url: string, token: string): Promise<LoggedIn> {
  const response = await fetch(`${url}/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token }),
  });
  if (response.status !== 200) throw new Error(`login answered ${response.status}: ${await response.text()}`);
  const setCookie = response.headers.get("set-cookie") ?? "";
  const { csrf } = (await response.json()) as { csrf: string };
  return { cookie: setCookie.split(";")[0] ?? "", setCookie, csrf };
}
