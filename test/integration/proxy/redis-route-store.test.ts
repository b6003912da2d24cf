import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AppRoute, RouteTable } from "../../../src/model/index.js";
import { DockhandError } from "../../../src/model/index.js";
import { RedisRouteStore } from "../../../src/proxy/redis-route-store.js";
import { type RedisServer, startRedisServer } from "../../support/redis-server.js";
import { until } from "./http-fixtures.js";

let redis: RedisServer;
let dir: string;
const stores: RedisRouteStore[] = [];
let prefixCount = 0;
let prefix = "test0:";

beforeAll(async () => {
  redis = await startRedisServer();
  dir = mkdtempSync(join(tmpdir(), "dockhand-routes-"));
});
afterAll(async () => {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  prefix = `test${++prefixCount}:`;
});

function store(options: { snapshotFile?: string; prefix?: string } = {}): RedisRouteStore {
  const s = new RedisRouteStore({ redis: redis.connect(), prefix: options.prefix ?? prefix, ...options });
  stores.push(s);
  return s;
}

function app(name: string, port: number, env = "production"): AppRoute {
  return {
    app: name,
    env,
    hostnames: [`${name}.example.com`],
    upstreams: [{ host: "alpha", address: "127.0.0.1", port, container: `${name}-${env}-0-abc`, state: "active" }],
  };
}

describe("RedisRouteStore", () => {
  it("stores routes per app and bumps the version on every real change", async () => {
    const s = store();
    const first = await s.load();
    expect(first).toEqual({ epoch: expect.stringMatching(/^[0-9a-f]{16}$/), version: 0, routes: [] });
    expect(await s.setApp(app("web", 1001))).toBe(1);
    expect(await s.setApp(app("api", 1002))).toBe(2);
    expect(await s.setApp(app("api", 1002))).toBe(2);
    expect(await s.setApp(app("api", 1003))).toBe(3);
    expect(await s.load()).toMatchObject({ version: 3, routes: [app("api", 1003), app("web", 1001)] });
    expect(await s.removeApp("production", "web")).toBe(4);
    expect(await s.removeApp("production", "web")).toBe(4);
    expect(await s.load()).toEqual({ epoch: first.epoch, version: 4, routes: [app("api", 1003)] });
  });

  it("keeps environments and key prefixes apart", async () => {
    const s = store();
    const other = store({ prefix: `${prefix}other:` });
    await s.setApp(app("web", 1001));
    await s.setApp(app("web", 2001, "pr-7"));
    expect((await s.load()).routes.map((r) => `${r.env}/${r.app}`)).toEqual(["pr-7/web", "production/web"]);
    expect(await other.load()).toMatchObject({ version: 0, routes: [] });
  });

  it("lets two stores on one Redis converge: one sets, the other's subscriber gets the new table", async () => {
    const writer = store();
    const reader = store();
    const seen: RouteTable[] = [];
    await reader.subscribe((table) => seen.push(table));
    await until(() => seen.length === 1, "the initial table");
    expect(seen[0]).toMatchObject({ version: 0, routes: [] });

    const version = await writer.setApp(app("web", 1001));
    await until(() => seen.at(-1)?.version === version, "the change to reach the subscriber");
    expect(seen.at(-1)).toMatchObject({ version: 1, routes: [app("web", 1001)] });
  });

  it("hands a burst of changes to subscribers in increasing versions, ending at the last", async () => {
    const writer = store();
    const reader = store();
    const versions: number[] = [];
    await reader.subscribe((table) => versions.push(table.version));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => writer.setApp(app(`app${i}`, 1000 + i))));
    const last = Math.max(...results);
    expect(last).toBe(20);
    await until(() => versions.at(-1) === last, "the last version");
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    expect(new Set(versions).size).toBe(versions.length);
  });

  it("stops calling back after unsubscribe", async () => {
    const writer = store();
    const reader = store();
    const seen: number[] = [];
    const unsubscribe = await reader.subscribe((table) => seen.push(table.version));
    await until(() => seen.length === 1, "the initial table");
    await unsubscribe();
    await writer.setApp(app("web", 1001));
    // A second subscriber sees the change, so the first would have too by now.
    const witness: number[] = [];
    await reader.subscribe((table) => witness.push(table.version));
    await until(() => witness.includes(1), "the witness to see version 1");
    expect(seen).toEqual([0]);
  });

  it("writes every loaded table to the snapshot file atomically, and loadSnapshot reads it back", async () => {
    const file = join(dir, `snap-${prefixCount}`, "routes.json");
    const writer = store({ snapshotFile: file });
    expect(await writer.loadSnapshot()).toBeUndefined();
    await writer.setApp(app("web", 1001));
    const table = await writer.load();
    await writer.flushSnapshot();
    expect(readdirSync(join(dir, `snap-${prefixCount}`))).toEqual(["routes.json"]);
    const fresh = new RedisRouteStore({ redis: "redis://127.0.0.1:1", snapshotFile: file });
    try {
      expect(await fresh.loadSnapshot()).toEqual(table);
    } finally {
      await fresh.close();
    }
  });

  it("refuses a damaged record with where it is, and the subscriber keeps the last good table", async () => {
    const warnings: string[] = [];
    const log = { debug() {}, info() {}, error() {}, warn: (_: object, msg: string) => warnings.push(msg) };
    const s = new RedisRouteStore({ redis: redis.connect(), prefix, log });
    stores.push(s);
    const seen: RouteTable[] = [];
    await s.setApp(app("web", 1001));
    await s.subscribe((table) => seen.push(table));
    await until(() => seen.length === 1, "the initial table");
    const raw = redis.connect();
    try {
      await raw.hset(s.keys.routes, "production/broken", "{not json");
      await raw.publish(s.keys.channel, String(await raw.incr(s.keys.version)));
      const error = await s.load().catch((err: unknown) => err);
      expect(error).toBeInstanceOf(DockhandError);
      expect((error as DockhandError).code).toBe("DOCKHAND_E_PROXY");
      expect((error as DockhandError).message).toMatch(
        /^route store test\d+:routes field production\/broken: not JSON/,
      );
      await until(
        () => warnings.includes("routes not reloaded; keeping the last table"),
        "the subscriber to give up on v2",
      );
      expect(seen.map((t) => t.version)).toEqual([1]);

      await raw.hdel(s.keys.routes, "production/broken");
      await raw.publish(s.keys.channel, String(await raw.incr(s.keys.version)));
      await until(() => seen.length === 2, "the repaired table");
      expect(seen.map((t) => t.version)).toEqual([1, 3]);
    } finally {
      raw.disconnect();
    }
  });
});
