/**
 * Proxy reports in Redis (issue 4), the reader side. Every proxy writes
 *   <prefix>proxy:<id>   JSON { version, inFlight: { container: n } }, expiring after a few seconds
 * and adds its id to the set <prefix>proxies. A proxy that stops writing
 * (crashed, cut off from Redis) expires and drops out on the next read.
 * The writer is src/runtime/proxy-reporter.ts.
 */
import type { Redis } from "ioredis";
import type { InFlightSource, ProxyReport } from "../model/index.js";

export function proxyReportKeys(prefix: string): { set: string; report: (id: string) => string } {
  return { set: `${prefix}proxies`, report: (id) => `${prefix}proxy:${id}` };
}

export function encodeProxyReport(report: Omit<ProxyReport, "id">): string {
  return JSON.stringify({ version: report.version, inFlight: report.inFlight });
}

export function decodeProxyReport(id: string, json: string): ProxyReport | undefined {
  try {
    const value = JSON.parse(json) as { version?: unknown; inFlight?: unknown };
    if (typeof value.version !== "number" || typeof value.inFlight !== "object" || value.inFlight === null) {
      return undefined;
    }
    return { id, version: value.version, inFlight: value.inFlight as Record<string, number> };
  } catch {
    return undefined;
  }
}

export class RedisProxyReports implements InFlightSource {
  private readonly keys: ReturnType<typeof proxyReportKeys>;

  /** `redis` is borrowed: the caller closes it. */
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = proxyReportKeys(prefix);
  }

  async read(): Promise<ProxyReport[]> {
    const ids = (await this.redis.smembers(this.keys.set)).sort();
    if (ids.length === 0) return [];
    const values = await this.redis.mget(...ids.map(this.keys.report));
    const reports: ProxyReport[] = [];
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const json = values[i];
      const report = json ? decodeProxyReport(id, json) : undefined;
      if (report) reports.push(report);
      else if (!json) gone.push(id);
    });
    if (gone.length > 0) await this.redis.srem(this.keys.set, ...gone);
    return reports;
  }
}
