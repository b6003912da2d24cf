/**
 * The writer side of the proxy reports (issue 4; docs/rollouts.md): a
 * built-in proxy tells Redis which route table version it serves and how many
 * requests it has in flight to each container, so an executor in any process
 * can wait for a route-out to reach every proxy and end a drain as soon as
 * nothing is left. The key layout is in src/model/proxy-reports.ts; the
 * reader is src/worker/rollout/redis-proxy-reports.ts.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { encodeProxyReport, inFlightKey, proxyReportKeys, type RouteTable } from "../model/index.js";
import type { RouteSink } from "./serve-routes.js";

/** What the reporter reads from a proxy (BuiltinProxy has both). */
export interface ReportingProxy {
  readonly routesVersion: number;
  readonly routesEpoch?: string;
  inFlight(container: string, host?: string): number;
  setRoutes(table: RouteTable): boolean;
}

export interface ProxyReporterOptions {
  /** Borrowed: the caller closes it. */
  redis: Redis;
  /** Key prefix of the install (the route store's). */
  prefix: string;
  proxy: ReportingProxy;
  /** Default: a random id per process. */
  id?: string;
  /** How often in-flight counts are looked at; a change is written at once. Default 25 ms. */
  tickMs?: number;
  /** A report expires this long after its last write. Default 3 s. */
  ttlMs?: number;
  /** Rewritten at least this often, changed or not. Default 1 s. */
  heartbeatMs?: number;
  onError?: (err: Error) => void;
}

export class ProxyReporter {
  readonly id: string;
  private readonly keys: ReturnType<typeof proxyReportKeys>;
  private readonly o: Required<Omit<ProxyReporterOptions, "id" | "onError">> & Pick<ProxyReporterOptions, "onError">;
  /** Containers of the table served, plus earlier ones until nothing is in flight to them, by inFlightKey. */
  private watched = new Map<string, { host: string; container: string }>();
  private current = new Set<string>();
  private written = "";
  private writtenAt = 0;
  private writing = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: ProxyReporterOptions) {
    this.id = options.id ?? randomUUID();
    this.keys = proxyReportKeys(options.prefix);
    this.o = { tickMs: 25, ttlMs: 3_000, heartbeatMs: 1_000, ...options };
  }

  /** Feed routes through this (e.g. to serveRoutes): each table applied is reported at once. */
  sink(): RouteSink {
    return {
      setRoutes: (table: RouteTable) => {
        const applied = this.o.proxy.setRoutes(table);
        if (applied) {
          const upstreams = table.routes.flatMap((r) => r.upstreams);
          this.current = new Set(upstreams.map((u) => inFlightKey(u.host, u.container)));
          for (const u of upstreams) {
            this.watched.set(inFlightKey(u.host, u.container), { host: u.host, container: u.container });
          }
          this.tick();
        }
        return applied;
      },
    };
  }

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.o.tickMs);
    this.timer.unref();
    this.tick();
  }

  /** Stops reporting and withdraws the report, so executors stop waiting for this proxy at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.o.redis
      .multi()
      .del(this.keys.report(this.id))
      .srem(this.keys.set, this.id)
      .exec()
      .catch(() => undefined);
  }

  private report(): string | undefined {
    const version = this.o.proxy.routesVersion;
    if (!Number.isFinite(version)) return undefined;
    const inFlight: Record<string, number> = {};
    for (const [key, { host, container }] of this.watched) {
      const n = this.o.proxy.inFlight(container, host);
      if (n > 0) inFlight[key] = n;
      else if (!this.current.has(key)) this.watched.delete(key);
    }
    const epoch = this.o.proxy.routesEpoch;
    return encodeProxyReport({ version, ...(epoch === undefined ? {} : { epoch }), inFlight });
  }

  private tick(): void {
    if (this.writing) {
      this.again = true;
      return;
    }
    const json = this.report();
    if (json === undefined) return;
    if (json === this.written && Date.now() - this.writtenAt < this.o.heartbeatMs) return;
    void this.write(json);
  }

  private async write(json: string): Promise<void> {
    this.writing = true;
    try {
      await this.o.redis
        .multi()
        .set(this.keys.report(this.id), json, "PX", this.o.ttlMs)
        .sadd(this.keys.set, this.id)
        .exec();
      this.written = json;
      this.writtenAt = Date.now();
    } catch (err) {
      this.o.onError?.(err as Error);
    } finally {
      this.writing = false;
    }
    if (this.again) {
      this.again = false;
      this.tick();
    }
  }
}
