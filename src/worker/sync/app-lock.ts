/**
 * Per-app locks in Redis (docs/operations.md; issue 6): no two workers, on
 * one machine or many, ever roll one app at once. A lock is a key holding a
 * random token with an expiry; the holder renews it while it works and
 * deletes it when done, and both only when the key still holds its token, so
 * a worker that stalled past the expiry can never renew or release a lock
 * another worker has taken since. A worker killed outright frees its locks
 * when they expire.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { DockhandError } from "../../model/index.js";

export const APP_LOCK_DEFAULTS = {
  /** A dead worker's locks free themselves after this long; the living renew every third of it. */
  ttlMs: 30_000,
  /** Give up waiting for a busy app after this long (a transient error: the sync is retried later). */
  waitMs: 10 * 60_000,
  retryMinMs: 50,
  retryMaxMs: 1_000,
} as const;

// All or nothing, so two workers wanting overlapping sets can never deadlock.
const ACQUIRE = `
for _, key in ipairs(KEYS) do
  local holder = redis.call("GET", key)
  if holder and holder ~= ARGV[1] then return holder end
end
for _, key in ipairs(KEYS) do redis.call("SET", key, ARGV[1], "PX", ARGV[2]) end
return false`;

const RENEW = `
local n = 0
for _, key in ipairs(KEYS) do
  if redis.call("GET", key) == ARGV[1] then redis.call("PEXPIRE", key, ARGV[2]); n = n + 1 end
end
return n`;

const RELEASE = `
local n = 0
for _, key in ipairs(KEYS) do
  if redis.call("GET", key) == ARGV[1] then redis.call("DEL", key); n = n + 1 end
end
return n`;

export interface AppRef {
  env: string;
  app: string;
}

export interface AppLocksOptions {
  ttlMs?: number;
  waitMs?: number;
  log?: Logger;
}

/** Locks held by one piece of work. */
export interface AppLease {
  readonly token: string;
  /** `env/app` of every app held. */
  readonly apps: readonly string[];
  /** Aborts when a renewal finds a lock gone or taken: the work must stop, someone else may be rolling. */
  readonly lost: AbortSignal;
  /** Takes more apps; resolves true when it had to wait (what was observed before may be stale). */
  extend(apps: AppRef[], signal?: AbortSignal): Promise<boolean>;
  release(): Promise<void>;
}

export class AppLocks {
  private readonly ttlMs: number;
  private readonly waitMs: number;
  /** @internal */
  readonly log: Logger | undefined;
  private readonly leases = new Set<Lease>();

  constructor(
    readonly redis: Redis,
    readonly prefix: string,
    options: AppLocksOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? APP_LOCK_DEFAULTS.ttlMs;
    this.waitMs = options.waitMs ?? APP_LOCK_DEFAULTS.waitMs;
    if (!(Number.isInteger(this.ttlMs) && this.ttlMs >= 100)) {
      throw new DockhandError("DOCKHAND_E_USAGE", `AppLocks: ttlMs must be at least 100 ms, got ${this.ttlMs}`);
    }
    this.log = options.log;
  }

  keyOf(ref: AppRef): string {
    return `${this.prefix}lock:app:${ref.env}/${ref.app}`;
  }

  /** Waits until every app is free, then holds them all (renewed until released). */
  async acquire(apps: AppRef[], signal?: AbortSignal): Promise<AppLease & { waited: boolean }> {
    const lease = new Lease(this, `${hostname()}:${process.pid}:${randomUUID()}`, this.ttlMs);
    const waited = await lease.extend(apps, signal);
    this.leases.add(lease);
    return Object.assign(lease, { waited });
  }

  /** Frees every lock this process holds (a worker handing its job back on shutdown). */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.leases].map((l) => l.release()));
  }

  /** @internal */
  async take(keys: string[], token: string, signal: AbortSignal | undefined): Promise<boolean> {
    const began = Date.now();
    let delay: number = APP_LOCK_DEFAULTS.retryMinMs;
    for (let attempt = 0; ; attempt++) {
      const holder = (await this.redis.eval(ACQUIRE, keys.length, ...keys, token, this.ttlMs)) as string | null;
      if (holder === null) return attempt > 0;
      if (attempt === 0) this.log?.info({ keys, holder }, "waiting for app locks held by another worker");
      if (Date.now() - began > this.waitMs) {
        throw new DockhandError(
          "DOCKHAND_E_DOCKER",
          `apps ${keys.join(", ")} are being rolled by ${holder} for over ${this.waitMs} ms; trying again later`,
          { transient: true },
        );
      }
      await sleep(delay + Math.floor(Math.random() * delay), undefined, { signal });
      delay = Math.min(delay * 2, APP_LOCK_DEFAULTS.retryMaxMs);
    }
  }

  /** @internal */
  async renew(keys: string[], token: string): Promise<boolean> {
    const renewed = (await this.redis.eval(RENEW, keys.length, ...keys, token, this.ttlMs)) as number;
    return renewed === keys.length;
  }

  /** @internal */
  async free(lease: Lease, keys: string[], token: string): Promise<void> {
    this.leases.delete(lease);
    if (keys.length > 0) await this.redis.eval(RELEASE, keys.length, ...keys, token);
  }
}

class Lease implements AppLease {
  private readonly keys: string[] = [];
  private readonly names: string[] = [];
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;
  private lastRenewed = Date.now();
  private released = false;

  constructor(
    private readonly locks: AppLocks,
    readonly token: string,
    private readonly ttlMs: number,
  ) {}

  get apps(): readonly string[] {
    return this.names;
  }

  get lost(): AbortSignal {
    return this.controller.signal;
  }

  async extend(apps: AppRef[], signal?: AbortSignal): Promise<boolean> {
    const fresh = apps.filter((a) => !this.keys.includes(this.locks.keyOf(a)));
    const unique = [...new Map(fresh.map((a) => [this.locks.keyOf(a), a])).entries()].sort(([a], [b]) =>
      a.localeCompare(b),
    );
    if (unique.length === 0) return false;
    // Holding some apps while waiting for others is safe: a take is all-or-nothing per call.
    const waited = await this.locks.take(
      unique.map(([key]) => key),
      this.token,
      signal,
    );
    for (const [key, ref] of unique) {
      this.keys.push(key);
      this.names.push(`${ref.env}/${ref.app}`);
    }
    this.locks.log?.info({ apps: unique.map(([, r]) => `${r.env}/${r.app}`), token: this.token }, "app locks acquired");
    this.lastRenewed = Date.now();
    this.timer ??= setInterval(() => void this.renew(), Math.max(50, Math.floor(this.ttlMs / 3))).unref();
    return waited;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    // Logged before the delete, so a log's timeline never shows two holders at once when there were none.
    if (this.keys.length > 0) this.locks.log?.info({ apps: this.names, token: this.token }, "releasing app locks");
    await this.locks.free(this, this.keys, this.token);
  }

  private async renew(): Promise<void> {
    if (this.released || this.renewing) {
      // A renewal stuck on a Redis that went away: past the expiry the locks may be someone else's.
      if (!this.released && Date.now() - this.lastRenewed > this.ttlMs) this.lose("could not renew in time");
      return;
    }
    this.renewing = true;
    try {
      if (await this.locks.renew(this.keys, this.token)) this.lastRenewed = Date.now();
      else this.lose("a lock expired and may have been taken by another worker");
    } catch {
      if (Date.now() - this.lastRenewed > this.ttlMs) this.lose("could not renew in time");
    } finally {
      this.renewing = false;
    }
  }

  private lose(why: string): void {
    if (this.controller.signal.aborted) return;
    clearInterval(this.timer);
    this.controller.abort(new DockhandError("DOCKHAND_E_DOCKER", `lost the app locks: ${why}`, { transient: true }));
  }
}

/** The apps of `env` a desired state names. */
export function appsDesired(desired: { apps: Array<{ name: string; env: string }> }, env: string): AppRef[] {
  return desired.apps.filter((a) => a.env === env).map((a) => ({ env, app: a.name }));
}

/** The apps of `env` that have containers on some host. */
export function appsObserved(
  observed: { hosts: Array<{ containers: Array<{ app: string; env: string }> }> },
  env: string,
): AppRef[] {
  const names = new Set(observed.hosts.flatMap((h) => h.containers.filter((c) => c.env === env).map((c) => c.app)));
  return [...names].map((app) => ({ env, app }));
}
