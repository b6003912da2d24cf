/**
 * Per-app locks on the test bed's Redis (issue 6): exclusive, all-or-nothing,
 * renewed while held, freed by their holder only, and taken over once a dead
 * holder's lock expires.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppLocks } from "../../../src/worker/sync/app-lock.js";
import { testbed } from "../../support/testbed.js";
import { newInstance } from "./queue-fixtures.js";

const prefix = `dockhand:${newInstance("lk")}:`;
let redis: Redis;
let locks: AppLocks;

const web = { env: "production", app: "web" };
const api = { env: "production", app: "api" };

beforeAll(() => {
  redis = new Redis(testbed().redisUrl, { maxRetriesPerRequest: null });
  locks = new AppLocks(redis, prefix, { ttlMs: 600 });
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe("AppLocks on real Redis", () => {
  it("lets one holder at a time have an app; the next gets it once the first releases", async () => {
    const first = await locks.acquire([web]);
    expect(first.waited).toBe(false);
    let secondHeld = false;
    const second = locks.acquire([web]).then((lease) => {
      secondHeld = true;
      return lease;
    });
    await sleep(300);
    expect(secondHeld).toBe(false);
    await first.release();
    const lease = await second;
    expect(lease.waited).toBe(true);
    expect(await redis.get(locks.keyOf(web))).toBe(lease.token);
    await lease.release();
    expect(await redis.exists(locks.keyOf(web))).toBe(0);
  });

  it("takes a set of apps all or nothing, so overlapping sets never deadlock", async () => {
    const a = await locks.acquire([web]);
    const both = locks.acquire([api, web]);
    await sleep(200);
    // api is free but must not be held while web is not.
    expect(await redis.exists(locks.keyOf(api))).toBe(0);
    await a.release();
    const lease = await both;
    expect(lease.apps).toEqual(["production/api", "production/web"]);
    await lease.release();
  });

  it("keeps a lock past its expiry while the holder renews it", async () => {
    const lease = await locks.acquire([web]);
    await sleep(1_500);
    expect(await redis.get(locks.keyOf(web))).toBe(lease.token);
    expect(lease.lost.aborted).toBe(false);
    await lease.release();
  });

  it("takes over a lock whose holder died (no renewal) once it expires", async () => {
    await redis.set(locks.keyOf(web), "dead-worker", "PX", 500);
    const lease = await locks.acquire([web]);
    expect(lease.waited).toBe(true);
    expect(await redis.get(locks.keyOf(web))).toBe(lease.token);
    await lease.release();
  });

  it("never releases a lock that is no longer its own, and says so through `lost`", async () => {
    const lease = await locks.acquire([web]);
    // Another worker took the key (as if this one had stalled past the expiry).
    await redis.set(locks.keyOf(web), "other-worker", "PX", 5_000);
    await sleep(500);
    expect(lease.lost.aborted).toBe(true);
    await lease.release();
    expect(await redis.get(locks.keyOf(web))).toBe("other-worker");
    await redis.del(locks.keyOf(web));
  });

  it("stops waiting when the work is cancelled", async () => {
    await redis.set(locks.keyOf(api), "busy-worker", "PX", 5_000);
    const controller = new AbortController();
    const waiting = locks.acquire([api], controller.signal);
    setTimeout(() => controller.abort(new Error("cancelled")), 200);
    await expect(waiting).rejects.toThrow(/cancelled|aborted/);
    await redis.del(locks.keyOf(api));
  });

  it("refuses an expiry too short to renew in time", () => {
    expect(() => new AppLocks(redis, prefix, { ttlMs: 10 })).toThrow(/ttlMs must be at least 100 ms/);
  });
});
