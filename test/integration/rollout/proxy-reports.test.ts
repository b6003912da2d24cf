/**
 * Proxy reports through Redis (issue 4): a built-in proxy reports the route
 * table version it serves and its requests in flight per container; the
 * executor's reader sees them, and sees a stopped proxy go at once.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import pino from "pino";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuiltinProxy, ProxyReporter, RedisRouteStore, serveRoutes } from "../../../src/proxy/index.js";
import { drainContainer } from "../../../src/worker/rollout/proxy-drain.js";
import { RedisProxyReports } from "../../../src/worker/rollout/redis-proxy-reports.js";
import { testbed } from "../../support/testbed.js";
import { waitFor } from "../../support/wait-for.js";

const prefix = `dockhand:r${randomBytes(3).toString("hex")}:`;
let redis: Redis;
let routes: RedisRouteStore;
let proxy: BuiltinProxy;
let proxyPort: number;
let reporter: ProxyReporter;
let unserve: () => Promise<void>;
let upstream: Server;
const held: ServerResponse[] = [];

beforeAll(async () => {
  redis = new Redis(testbed().redisUrl, { maxRetriesPerRequest: null });
  routes = new RedisRouteStore({ redis: redis.duplicate(), prefix });
  // An upstream that answers only when told to: requests stay in flight meanwhile.
  upstream = createServer((_req, res) => held.push(res));
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  proxy = new BuiltinProxy({ listen: { host: "127.0.0.1", port: 0 }, log: pino({ level: "silent" }) });
  proxyPort = (await proxy.start()).port;
  reporter = new ProxyReporter({ redis: redis.duplicate(), prefix, proxy, id: "proxy-a" });
  reporter.start();
  unserve = await serveRoutes(reporter.sink(), routes);
});

afterAll(async () => {
  for (const res of held) res.end();
  await unserve?.();
  await proxy?.stop();
  await new Promise((resolve) => upstream?.close(resolve));
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await routes?.close();
  redis?.disconnect();
});

describe("proxy reports", () => {
  it("carry the version served and the requests in flight per container, and end with the proxy", async () => {
    const reports = new RedisProxyReports(redis, prefix);
    const port = (upstream.address() as AddressInfo).port;
    const version = await routes.setApp({
      app: "web",
      env: "production",
      hostnames: ["web.reports.test"],
      upstreams: [{ host: "alpha", address: "127.0.0.1", port, container: "web-0", state: "active" }],
    });
    const quick = { timeoutMs: 10_000, intervalMs: 20 };
    await waitFor("the new version", async () => (await reports.read())[0]?.version === version, quick);

    // fetch() would drop the Host header (a forbidden header name); undici's request sends it.
    const pending = request(`http://127.0.0.1:${proxyPort}/`, { headers: { host: "web.reports.test" } });
    expect(
      await waitFor(
        "one request in flight to web-0 on alpha",
        async () => {
          const [report] = await reports.read();
          return report?.inFlight["alpha/web-0"] === 1 ? report : undefined;
        },
        quick,
      ),
    ).toEqual({ id: "proxy-a", version, epoch: expect.any(String), inFlight: { "alpha/web-0": 1 } });

    // A container of the same name on another host (a slot that moved) is drained on its own count.
    const options = { pollMs: 20 };
    expect(await drainContainer(reports, { host: "beta", name: "web-0" }, version, 2_000, options)).toBe("empty");
    expect(await drainContainer(reports, { host: "alpha", name: "web-0" }, version, 200, options)).toBe("timeout");

    held.shift()?.end("done");
    expect(await (await pending).body.text()).toBe("done");
    expect(await drainContainer(reports, { host: "alpha", name: "web-0" }, version, 5_000, options)).toBe("empty");
    await waitFor(
      "nothing in flight",
      async () => {
        const [report] = await reports.read();
        return report !== undefined && Object.keys(report.inFlight).length === 0;
      },
      quick,
    );

    // Versions compare within one epoch: a Redis wiped under a running proxy starts a new one.
    const epoch = (await routes.load()).epoch;
    expect(epoch).toEqual(expect.any(String));
    await waitFor("the report to carry the epoch", async () => (await reports.read())[0]?.epoch === epoch, quick);
    await redis.set(routes.keys.epoch, "after-a-wipe");
    expect((await reports.read())[0]?.version).toBe(-1);
    const next = await routes.setApp({
      app: "web",
      env: "production",
      hostnames: ["web.reports.test"],
      upstreams: [{ host: "alpha", address: "127.0.0.1", port, container: "web-1", state: "active" }],
    });
    await waitFor(
      "the proxy to serve the new epoch's table",
      async () => {
        const [report] = await reports.read();
        return report?.epoch === "after-a-wipe" && report.version === next;
      },
      quick,
    );

    await reporter.stop();
    expect(await reports.read()).toEqual([]);
  });
});
