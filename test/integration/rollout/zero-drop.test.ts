/**
 * Zero dropped requests (issue 4): continuous load through the built-in proxy
 * (fed from Redis, as `dockhand serve` feeds it) while five rollouts of a
 * 3-replica app run back to back across both hosts. Not one request may fail
 * or get a 5xx. The proxy retries nothing here (maxAttempts 1), so the
 * executor alone must get the order right: route in, route out, wait until
 * the proxy serves the route-out, drain, stop.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuiltinProxy, ProxyReporter, RedisRouteStore, serveRoutes } from "../../../src/proxy/index.js";
import { RedisProxyReports } from "../../../src/worker/rollout/redis-proxy-reports.js";
import { proxyGet } from "../../support/proxy-get.js";
import { testbed } from "../../support/testbed.js";
import { waitFor } from "../../support/wait-for.js";
import { startLoad } from "./load.js";
import { appYaml, createRolloutBed, type RolloutBed } from "./rollout-fixtures.js";

const HOST = "web.zero-drop.test";
let bed: RolloutBed;
let proxy: BuiltinProxy;
let proxyPort: number;
let reporter: ProxyReporter;
let unserve: () => Promise<void>;
let proxyRedis: Redis;
let proxyRoutes: RedisRouteStore;

function web(page: string): string {
  return appYaml("web", bed.image, {
    replicas: "3",
    hostnames: `[${HOST}]`,
    env: `{ PAGE: ${page} }`,
    health: "{ path: /healthz, within: 20s, stable: 200ms }",
    // Long enough to matter; ended early by the proxy's in-flight report.
    rollout: "{ batch: 1, drain: 5s }",
  });
}

beforeAll(async () => {
  bed = await createRolloutBed();
  proxy = new BuiltinProxy({
    listen: { host: "127.0.0.1", port: 0 },
    log: bed.log,
    maxAttempts: 1,
    ejectAfterFailures: 0,
  });
  proxyPort = (await proxy.start()).port;
  proxyRedis = new Redis(testbed().redisUrl, { maxRetriesPerRequest: null });
  proxyRoutes = new RedisRouteStore({ redis: proxyRedis.duplicate(), prefix: bed.prefix });
  reporter = new ProxyReporter({ redis: proxyRedis, prefix: bed.prefix, proxy });
  reporter.start();
  unserve = await serveRoutes(reporter.sink(), proxyRoutes);
  bed.writeApp("web", web("v0"));
  const first = await bed.sync();
  expect(first.status).toBe("succeeded");
  await waitFor("the proxy to serve v0", async () => (await proxyGet(proxyPort, HOST)).body.trim() === "v0");
});

afterAll(async () => {
  await unserve?.();
  await reporter?.stop();
  await proxy?.stop();
  await proxyRoutes?.close();
  proxyRedis?.disconnect();
  await bed?.close();
});

describe("five rollouts under continuous load", () => {
  it("drops no request and answers no 5xx", async () => {
    const proxies = new RedisProxyReports(bed.redis, bed.prefix);
    const load = startLoad(proxyPort, HOST);
    const statuses: string[] = [];
    try {
      for (let i = 1; i <= 5; i++) {
        bed.writeApp("web", web(`v${i}`));
        const outcome = await bed.sync({}, { proxies });
        statuses.push(`v${i} ${outcome.status}`);
      }
    } finally {
      const result = await load.stop();
      console.log(
        `zero-drop: ${result.requests} requests, statuses ${JSON.stringify(result.statuses)}, ` +
          `errors ${JSON.stringify(result.errors)}, pages ${[...result.bodies].join(" ")}`,
      );
      expect(statuses).toEqual(["v1", "v2", "v3", "v4", "v5"].map((v) => `${v} succeeded`));
      expect(result.errors).toEqual({});
      expect(Object.keys(result.statuses)).toEqual(["200"]);
      // Every version served at some point: the load really ran through each rollout.
      expect([...result.bodies].sort()).toEqual(["v0", "v1", "v2", "v3", "v4", "v5"]);
    }
    const running = await bed.running("web");
    expect(running).toHaveLength(3);
    expect(new Set(running.map((c) => c.host))).toEqual(new Set(["alpha", "beta"]));
  });
});
