import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AppRoute } from "../../../src/model/index.js";
import { BuiltinProxy } from "../../../src/proxy/builtin-proxy.js";
import { RedisRouteStore } from "../../../src/proxy/redis-route-store.js";
import { writeRouteSnapshot } from "../../../src/proxy/route-snapshot.js";
import { serveRoutes } from "../../../src/proxy/serve-routes.js";
import { type RedisServer, startRedisServer } from "../../support/redis-server.js";
import { nameOf, send, silentLog, startUpstream, type TestUpstream, until } from "./http-fixtures.js";

let a: TestUpstream;
let b: TestUpstream;
let dir: string;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  [a, b] = await Promise.all([startUpstream("a"), startUpstream("b")]);
  dir = mkdtempSync(join(tmpdir(), "dockhand-serve-"));
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function web(upstream: TestUpstream): AppRoute {
  return { app: "web", env: "production", hostnames: ["www.example.com"], upstreams: [upstream.upstream()] };
}

async function setup(redis: RedisServer, snapshotFile?: string) {
  const proxy = new BuiltinProxy({ listen: { host: "127.0.0.1", port: 0 }, log: silentLog });
  const { port } = await proxy.start();
  const store = new RedisRouteStore({ redis: redis.connect(), prefix: "serve:", snapshotFile, log: silentLog });
  const writer = new RedisRouteStore({ redis: redis.connect(), prefix: "serve:" });
  cleanups.push(
    () => proxy.stop(),
    () => store.close(),
    () => writer.close(),
  );
  return { proxy, port, store, writer };
}

async function servedBy(port: number): Promise<string> {
  const reply = await send(port, "www.example.com");
  return reply.status === 200 ? nameOf(reply) : `status ${reply.status}`;
}

describe("serveRoutes", () => {
  it("serves the store's table at once and follows every change", async () => {
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const { proxy, port, store, writer } = await setup(redis);
    await writer.setApp(web(a));
    const stop = await serveRoutes(proxy, store, { log: silentLog });
    cleanups.push(stop);
    expect(await servedBy(port)).toBe("a");

    const version = await writer.setApp(web(b));
    await until(() => proxy.routesVersion === version, "the proxy to take the new table");
    expect(await servedBy(port)).toBe("b");

    await writer.removeApp("production", "web");
    await until(() => proxy.routesVersion === version + 1, "the proxy to drop the app");
    expect(await servedBy(port)).toBe("status 404");
  });

  it("starts from the snapshot while Redis is down, then follows Redis once it is up", async () => {
    const redis = await startRedisServer({ started: false });
    cleanups.push(() => redis.stop());
    const file = join(dir, "routes.json");
    await writeRouteSnapshot(file, { version: 1, routes: [web(a)] });
    const { proxy, port, store, writer } = await setup(redis, file);

    const stop = await serveRoutes(proxy, store, { log: silentLog });
    cleanups.push(stop);
    expect(await servedBy(port)).toBe("a");

    await redis.up();
    await writer.setApp({ ...web(a), hostnames: ["old.example.com"] });
    const version = await writer.setApp(web(b));
    expect(version).toBe(2);
    await until(() => proxy.routesVersion === 2, "the proxy to follow Redis", 15_000);
    expect(await servedBy(port)).toBe("b");
  });

  it("takes the table of a wiped Redis although its versions start again (a new epoch)", async () => {
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const { proxy, port, store, writer } = await setup(redis);
    await writer.setApp({ ...web(a), hostnames: ["old.example.com"] });
    await writer.setApp(web(a));
    const stop = await serveRoutes(proxy, store, { log: silentLog });
    cleanups.push(stop);
    expect(proxy.routesVersion).toBe(2);
    expect(await servedBy(port)).toBe("a");

    const admin = redis.connect();
    await admin.flushall();
    await admin.quit();
    // The first change after the wipe is version 1 again, below the 2 the proxy serves.
    expect(await writer.setApp(web(b))).toBe(1);
    await until(() => proxy.routesVersion === 1, "the proxy to take the new epoch's version 1");
    expect(await servedBy(port)).toBe("b");
    expect(await writer.removeApp("production", "web")).toBe(2);
    await until(() => proxy.routesVersion === 2, "the proxy to follow the new epoch");
    expect(await servedBy(port)).toBe("status 404");
  });

  it("stops following the store when told to", async () => {
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const { proxy, port, store, writer } = await setup(redis);
    await writer.setApp(web(a));
    const stop = await serveRoutes(proxy, store);
    await stop();
    await writer.setApp(web(b));
    // A second proxy that still follows sees the change; by then the first would have too.
    const witness = await setup(redis);
    cleanups.push(await serveRoutes(witness.proxy, witness.store));
    await until(() => witness.proxy.routesVersion === 2, "the witness to see version 2");
    expect(proxy.routesVersion).toBe(1);
    expect(await servedBy(port)).toBe("a");
  });
});
