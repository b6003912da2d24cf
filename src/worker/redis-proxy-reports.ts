/**
 * Proxy reports in Redis (issue 4), the reader side. Every proxy writes
 *   <prefix>proxy:<id>   JSON { version, inFlight: { container: n } }, expiring after a few seconds
 * and adds its id to the set <prefix>proxies. A proxy that stops writing
 * (crashed, cut off from Redis) expires and drops out on the next read.
 * The writer is src/proxy/proxy-reporter.ts; the layout is in src/model/proxy-reports.ts.
 */
import type { Redis } from "ioredis";
import { decodeProxyReport, type InFlightSource, type ProxyReport, proxyReportKeys } from "../model/index.js";

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
