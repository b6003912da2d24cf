/**
 * The operator's HTTP surface on real parts: the deploy history and a BullMQ
 * queue in the test bed's Redis (under a prefix of this file), one real
 * container on the alpha engine, and a real BuiltinProxy whose answers are
 * counted. /metrics is scraped for every listed series; the admin token
 * guards the dashboard and /api/status; the event stream pushes a deploy as
 * it runs.
 */
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts } from "../../../src/docker/index.js";
import { AdminAuth, METRIC_NAMES, type MetricsSource, type StatusSnapshot } from "../../../src/http/index.js";
import { containerLabels, type DesiredState, QUEUE_NAMES, type SyncJob } from "../../../src/model/index.js";
import { BuiltinProxy } from "../../../src/proxy/index.js";
import { buildHttpApp } from "../../../src/runtime/http-app.js";
import { holdStatus, LiveStatus } from "../../../src/runtime/live-status.js";
import { ProxyTrafficCounter } from "../../../src/runtime/proxy-traffic.js";
import { readQueue, readSeenCommits } from "../../../src/runtime/queue-view.js";
import { RedisSessionStore } from "../../../src/runtime/redis-session-store.js";
import { DeployHistory } from "../../../src/worker/history/deploy-history.js";
import { RedisSyncHolds } from "../../../src/worker/queue/sync-holds.js";
import { proxyGet } from "../../support/proxy-get.js";
import { testbed, testbedHosts } from "../../support/testbed.js";

const TOKEN = "s3cret-admin-token";
const instance = `t${randomUUID().slice(0, 6)}`;
const prefix = `dockhand:${instance}:`;
const SHA = "1".repeat(40);
const silent = pino({ level: "silent" });
const docker = createDockerHosts(testbedHosts());

let redis: Redis;
let history: DeployHistory;
let queue: Queue<SyncJob>;
let proxy: BuiltinProxy;
let traffic: ProxyTrafficCounter;
let status: LiveStatus;
let app: FastifyInstance;
let proxyPort: number;

const desired: DesiredState = {
  source: { repo: "/deploy", sha: SHA },
  hosts: testbedHosts(),
  proxy: { driver: "builtin", listen: "127.0.0.1:0" },
  apps: [
    {
      name: "web",
      env: "production",
      file: "apps/web.yaml",
      image: "busybox:stable",
      replicas: 1,
      port: 8080,
      hostnames: ["web.test"],
      environment: {},
      health: { timeoutMs: 2000, withinMs: 30000 },
      rollout: { batch: 1, drainMs: 0 },
      placement: {},
      specHash: "spec0001",
      specFields: {},
    },
  ],
};

async function build(adminToken?: string, metrics?: MetricsSource): Promise<FastifyInstance> {
  return buildHttpApp({
    log: silent,
    webhook: {
      secrets: ["x"],
      repository: "acme/deploy",
      branch: "main",
      enqueueSync: async () => ({ status: "queued", jobId: "j" }),
    },
    ready: async () => true,
    operations: {
      auth: new AdminAuth({ token: adminToken, sessions: new RedisSessionStore(redis, prefix) }),
      status,
      metrics: metrics ?? {
        deployStats: () => history.stats(),
        seenCommits: () => readSeenCommits(queue),
        proxyTraffic: () => traffic.read(),
      },
    },
  });
}

beforeAll(async () => {
  redis = new Redis(testbed().redisUrl, { maxRetriesPerRequest: null });
  history = new DeployHistory(redis, { prefix });
  queue = new Queue<SyncJob>(QUEUE_NAMES.sync, { connection: redis, prefix: `${prefix}bull` });
  const started = await docker.run("alpha", {
    name: `${instance}-web-production-0-spec0001`,
    image: "busybox:stable",
    port: 8080,
    command: ["sh", "-c", "trap 'exit 0' TERM; echo hello; httpd -f -p 8080 -h / & wait"],
    environment: {},
    labels: containerLabels({ instance, app: "web", env: "production", slot: 0, specHash: "spec0001", commit: SHA }),
  });
  proxy = new BuiltinProxy({ listen: { host: "127.0.0.1", port: 0 }, log: silent });
  proxyPort = (await proxy.start()).port;
  traffic = new ProxyTrafficCounter(new Set([proxyPort]));
  const table = {
    version: 1,
    routes: [
      {
        app: "web",
        env: "production",
        hostnames: ["web.test"],
        upstreams: [
          {
            host: "alpha",
            address: "127.0.0.1",
            port: started.hostPort as number,
            container: "c",
            state: "active" as const,
          },
        ],
      },
      { app: "api", env: "production", hostnames: ["api.test"], upstreams: [] },
    ],
  };
  proxy.setRoutes(table);
  traffic.setRoutes(table);
  status = new LiveStatus({
    instance,
    desired: async () => ({ desired }),
    dockerFor: (hosts) => createDockerHosts(hosts),
    history,
    queue: () => readQueue(queue),
    holds: async () => (await new RedisSyncHolds(redis, prefix).list()).map(holdStatus),
  });
  await history.begin({ env: "production", actor: { trigger: "push", delivery: "d1" } }).finish({
    sha: SHA,
    status: "succeeded",
    apps: [{ app: "web", env: "production", status: "succeeded", durationMs: 3_500 }],
  });
  await queue.add("sync", { trigger: "push", env: "production", sha: "2".repeat(40), delivery: "d2" }, { jobId: "p1" });
  app = await build(TOKEN);
});

afterAll(async () => {
  await app?.close();
  await status?.close();
  traffic?.close();
  await proxy?.stop();
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  const observed = await docker.observe(instance);
  for (const c of observed.hosts.flatMap((h) => h.containers)) await docker.remove(c.host, c.id);
  await docker.close();
});

describe("GET /metrics", () => {
  it("exposes every listed series with samples, from the history, queue, engines and proxy", async () => {
    expect((await proxyGet(proxyPort, "web.test", "/bin/")).status).toBeLessThan(500);
    expect((await proxyGet(proxyPort, "api.test")).status).toBe(503);
    expect((await proxyGet(proxyPort, "nobody.test")).status).toBe(404);
    const reply = await app.inject({ method: "GET", url: "/metrics" });
    expect(reply.statusCode).toBe(200);
    expect(reply.headers["content-type"]).toContain("text/plain");
    const samples = reply.body.split("\n").filter((l) => l && !l.startsWith("#"));
    for (const name of METRIC_NAMES) {
      expect(
        samples.some((l) => l.startsWith(`${name}{`) || l.startsWith(`${name}_bucket{`) || l.startsWith(`${name} `)),
        name,
      ).toBe(true);
    }
    const value = (series: string) =>
      Number(
        samples
          .find((l) => l.startsWith(series))
          ?.split(" ")
          .at(-1),
      );
    expect(value('dockhand_deploys_total{env="production",app="web",outcome="succeeded"}')).toBe(1);
    expect(value('dockhand_deploy_duration_seconds_bucket{env="production",app="web",le="5"}')).toBe(1);
    expect(value('dockhand_deploy_duration_seconds_bucket{env="production",app="web",le="2"}')).toBe(0);
    expect(value('dockhand_queue_jobs{state="waiting"}')).toBe(1);
    expect(value("dockhand_queue_oldest_pending_seconds")).toBeGreaterThanOrEqual(0);
    expect(value('dockhand_sync_lag_seconds{env="production"}')).toBeGreaterThanOrEqual(0);
    expect(value('dockhand_proxy_upstream_errors_total{env="production",app="api"}')).toBe(1);
    expect(value('dockhand_proxy_requests_total{env="",app="(unrouted)",code="404"}')).toBe(1);
    expect(value('dockhand_containers{host="alpha",state="running",health="none"}')).toBe(1);
    expect(value('dockhand_host_up{host="beta"}')).toBe(1);
  });

  it("still answers when the history cannot be read, saying so", async () => {
    const broken = await build(TOKEN, {
      deployStats: async () => undefined,
      seenCommits: async () => [],
    });
    try {
      const reply = await broken.inject({ method: "GET", url: "/metrics" });
      expect(reply.statusCode).toBe(200);
      expect(reply.body).toMatch(/^dockhand_deploy_history_up 0$/m);
    } finally {
      await broken.close();
    }
  });
});

describe("the admin token", () => {
  it("keeps the dashboard and /api/status off when no token is configured", async () => {
    const open = await build(undefined);
    try {
      for (const url of ["/", "/api/status", "/events", "/?token=anything"]) {
        const reply = await open.inject({ method: "GET", url, headers: { authorization: "Bearer anything" } });
        expect(reply.statusCode, url).toBe(403);
        expect(reply.body).toContain("DOCKHAND_ADMIN_TOKEN");
      }
    } finally {
      await open.close();
    }
  });

  it("answers 401 without or with a wrong token, and a browser gets a login form", async () => {
    expect((await app.inject({ method: "GET", url: "/api/status" })).statusCode).toBe(401);
    const wrong = await app.inject({ method: "GET", url: "/api/status", headers: { authorization: "Bearer nope" } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ error: "DOCKHAND_E_USAGE", message: "wrong admin token" });
    const page = await app.inject({ method: "GET", url: "/", headers: { accept: "text/html" } });
    expect(page.statusCode).toBe(401);
    expect(page.headers["www-authenticate"]).toBe('Bearer realm="dockhand"');
    expect(page.body).toContain('<input type="password" name="token"');
    expect((await app.inject({ method: "GET", url: "/?token=nope" })).statusCode).toBe(400);
  });

  it("logs in at POST /login: a random session id in the cookie (not the token), then shows the dashboard", async () => {
    const login = await app.inject({
      method: "POST",
      url: "/login",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: `token=${encodeURIComponent(TOKEN)}`,
    });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe("/");
    const cookie = String(login.headers["set-cookie"]);
    expect(cookie).toMatch(/^dockhand_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200; Secure$/);
    expect(cookie).not.toContain(TOKEN);
    const page = await app.inject({ method: "GET", url: "/", headers: { cookie: cookie.split(";")[0] ?? "" } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-app="web"');
    expect(page.body).toContain(`data-container="${instance}-web-production-0-spec0001"`);
    const forged = await app.inject({
      method: "GET",
      url: "/",
      headers: { cookie: `dockhand_session=${"0".repeat(43)}` },
    });
    expect(forged.statusCode).toBe(401);
  });
});

describe("GET /api/status", () => {
  it("gives desired vs running, health, commit, last outcome and the queue", async () => {
    const reply = await app.inject({
      method: "GET",
      url: "/api/status",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(reply.statusCode).toBe(200);
    const body = reply.json<StatusSnapshot>();
    expect(body.environments[0]?.apps[0]).toMatchObject({
      app: "web",
      desiredReplicas: 1,
      runningReplicas: 1,
      hosts: ["alpha"],
      health: "healthy",
      commits: [SHA],
      lastOutcome: { status: "succeeded", durationMs: 3_500 },
    });
    expect(body.queue?.pending).toMatchObject([{ id: "p1", trigger: "push", sha: "2".repeat(40) }]);
    expect(body.deploys.recent[0]?.actor).toEqual({ trigger: "push", delivery: "d1" });
    expect(body.history).toEqual({ available: true });
    expect(body.holds).toEqual([]);
  });

  it("shows a hold set by dockhand rollback on the app and in the list", async () => {
    const holds = new RedisSyncHolds(redis, prefix);
    await holds.set({
      app: "web",
      env: "production",
      heldSpecHash: "spec0002",
      specHash: "spec0001",
      commit: SHA,
      at: 1_000,
    });
    try {
      const body = (
        await app.inject({ method: "GET", url: "/api/status", headers: { authorization: `Bearer ${TOKEN}` } })
      ).json<StatusSnapshot>();
      expect(body.holds).toEqual([
        {
          app: "web",
          env: "production",
          at: SHA,
          since: 1_000,
          reason: "rolled back to spec spec0001; a commit that changes the app releases it",
        },
      ]);
      expect(body.environments[0]?.apps[0]?.hold?.at).toBe(SHA);
    } finally {
      await holds.release("production", "web");
    }
  });
});

describe("GET /events", () => {
  it("pushes the dashboard when a deploy starts and steps, and ends its streams when the server closes", async () => {
    const live = await build(TOKEN);
    await live.listen({ port: 0, host: "127.0.0.1" });
    const port = (live.server.address() as { port: number }).port;
    const abort = new AbortController();
    const response = await fetch(`http://127.0.0.1:${port}/events`, {
      headers: { authorization: `Bearer ${TOKEN}` },
      signal: abort.signal,
    });
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const events = readEvents(response);
    try {
      expect(await events.until((e) => e.includes('data-app="web"'))).toContain("No deploy is running.");
      const run = history.begin({ env: "production", actor: { trigger: "cli", user: "ops@box" }, sha: "3".repeat(40) });
      run.step({ app: "web", env: "production", step: "waitHealthy web-0 on alpha", phase: "start" });
      const running = await events.until((e) => e.includes("waitHealthy web-0 on alpha"));
      expect(running).toContain("cli (ops@box)");
      await run.finish({ sha: "3".repeat(40), status: "noop", apps: [] });
      await events.until((e) => e.includes("No deploy is running."));
    } finally {
      await live.close();
      abort.abort();
    }
  });
});

/** Reads `render` events off an SSE response; until() resolves with the first one that matches. */
function readEvents(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return {
    async until(match: (event: string) => boolean, timeoutMs = 15_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (let at = buffer.indexOf("\n\n"); at >= 0; at = buffer.indexOf("\n\n")) {
          const event = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          if (!event.startsWith("event: render")) continue;
          const data = event
            .split("\n")
            .filter((l) => l.startsWith("data: "))
            .map((l) => l.slice(6))
            .join("\n");
          if (match(data)) return data;
        }
        if (Date.now() > deadline) throw new Error("no matching event in time");
        const { value, done } = await reader.read();
        if (done) throw new Error("the event stream ended");
        buffer += decoder.decode(value, { stream: true });
      }
    },
  };
}
