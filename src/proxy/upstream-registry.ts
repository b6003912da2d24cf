/**
 * Live state per upstream: its keep-alive connection pool, its in-flight
 * requests (so the executor can end a drain early) and its recent failures
 * (passive ejection: an upstream that keeps failing gets a rest).
 */
import { Pool } from "undici";
import { inFlightKey, type Upstream } from "../model/index.js";
import { originOf, type UpstreamView } from "./upstream-balancer.js";

export interface PoolOptions {
  connections: number;
  connectTimeoutMs: number;
  keepAliveMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

export interface EjectionOptions {
  /** Consecutive failures that eject an upstream; 0 never ejects. */
  afterFailures: number;
  forMs: number;
}

interface Health {
  failures: number;
  ejectedUntil: number;
}

function add(counts: Map<string, number>, key: string, delta: number): void {
  const n = (counts.get(key) ?? 0) + delta;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}

export class UpstreamRegistry implements UpstreamView {
  private readonly pools = new Map<string, Pool>();
  /** By host and container (inFlightKey), and by container name alone. */
  private readonly counts = new Map<string, number>();
  private readonly totals = new Map<string, number>();
  private readonly health = new Map<string, Health>();
  /** Pools of upstreams that left the table, finishing their in-flight requests. */
  private readonly retiring = new Set<Pool>();

  constructor(
    private readonly poolOptions: PoolOptions,
    private readonly ejection: EjectionOptions,
    private readonly now: () => number = Date.now,
  ) {}

  pool(upstream: Upstream): Pool {
    const origin = originOf(upstream);
    let pool = this.pools.get(origin);
    if (pool === undefined) {
      const o = this.poolOptions;
      pool = new Pool(`http://${origin}`, {
        connections: o.connections,
        connect: { timeout: o.connectTimeoutMs },
        keepAliveTimeout: o.keepAliveMs,
        keepAliveMaxTimeout: o.keepAliveMs,
        headersTimeout: o.headersTimeoutMs,
        bodyTimeout: o.bodyTimeoutMs,
        pipelining: 1,
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  begin(upstream: Upstream): void {
    add(this.counts, inFlightKey(upstream.host, upstream.container), 1);
    add(this.totals, upstream.container, 1);
  }

  end(upstream: Upstream): void {
    add(this.counts, inFlightKey(upstream.host, upstream.container), -1);
    add(this.totals, upstream.container, -1);
  }

  inFlight(upstream: Upstream): number {
    return this.counts.get(inFlightKey(upstream.host, upstream.container)) ?? 0;
  }

  /**
   * Requests in flight to a container: the one on `host`, or every container of that name. Names are
   * unique per engine only: a slot moved to another host keeps its name, so the old and the new one may
   * both be in the table for a while.
   */
  inFlightOf(container: string, host?: string): number {
    return (host === undefined ? this.totals.get(container) : this.counts.get(inFlightKey(host, container))) ?? 0;
  }

  /** Returns true when this failure ejected the upstream. */
  recordFailure(upstream: Upstream): boolean {
    if (this.ejection.afterFailures <= 0) return false;
    const origin = originOf(upstream);
    const h = this.health.get(origin) ?? { failures: 0, ejectedUntil: 0 };
    h.failures++;
    this.health.set(origin, h);
    if (h.failures < this.ejection.afterFailures) return false;
    h.failures = 0;
    h.ejectedUntil = this.now() + this.ejection.forMs;
    return true;
  }

  recordSuccess(upstream: Upstream): void {
    if (this.health.size > 0) this.health.delete(originOf(upstream));
  }

  isEjected(upstream: Upstream): boolean {
    if (this.health.size === 0) return false;
    const h = this.health.get(originOf(upstream));
    return h !== undefined && h.ejectedUntil > this.now();
  }

  /** Close, gracefully, the pools of upstreams no longer in any route; their in-flight requests finish first. */
  retain(upstreams: Iterable<Upstream>): void {
    const keep = new Set<string>();
    for (const u of upstreams) keep.add(originOf(u));
    for (const [origin, pool] of this.pools) {
      if (keep.has(origin)) continue;
      this.pools.delete(origin);
      this.health.delete(origin);
      this.retiring.add(pool);
      pool
        .close()
        .catch(() => undefined)
        .finally(() => this.retiring.delete(pool));
    }
  }

  /** Close every pool; after graceMs, cut what is still running. */
  async close(graceMs: number): Promise<void> {
    const pools = [...this.pools.values(), ...this.retiring];
    this.pools.clear();
    const graceful = Promise.all(pools.map((p) => p.close().catch(() => undefined)));
    let timer: NodeJS.Timeout | undefined;
    const cut = new Promise<"cut">((resolve) => {
      timer = setTimeout(() => resolve("cut"), graceMs);
    });
    const outcome = await Promise.race([graceful.then(() => "done" as const), cut]);
    clearTimeout(timer);
    if (outcome === "cut") await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }
}
