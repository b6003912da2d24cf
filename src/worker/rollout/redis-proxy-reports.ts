/**
 * Proxy reports in Redis (issue 4), the reader side. Every proxy writes
 *   <prefix>proxy:<id>   JSON { version, epoch, inFlight: { "host/container": n } }, expiring after a few seconds
 * and adds its id to the set <prefix>proxies. A proxy that stops writing
 * (crashed, cut off from Redis) expires and drops out on the next read.
 * The writer is src/proxy/proxy-reporter.ts; the layout is in src/model/proxy-reports.ts.
 */
import type { Redis } from "ioredis";
import {
  decodeProxyReport,
  type InFlightSource,
  type ProxyReport,
  proxyReportKeys,
  routeEpochKey,
} from "../../model/index.js";

export class RedisProxyReports implements InFlightSource {
  private readonly keys: ReturnType<typeof proxyReportKeys>;
  private readonly epochKey: string;

  /** `redis` is borrowed: the caller closes it. */
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = proxyReportKeys(prefix);
    this.epochKey = routeEpochKey(prefix);
  }

  async read(): Promise<ProxyReport[]> {
    const ids = (await this.redis.smembers(this.keys.set)).sort();
    if (ids.length === 0) return [];
    const [epoch, ...values] = await this.redis.mget(this.epochKey, ...ids.map(this.keys.report));
    const reports: ProxyReport[] = [];
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const json = values[i];
      const report = json ? decodeProxyReport(id, json) : undefined;
      if (report) reports.push(sameEpoch(report, epoch));
      else if (!json) gone.push(id);
    });
    if (gone.length > 0) await this.redis.srem(this.keys.set, ...gone);
    return reports;
  }
}

/**
 * Versions count within one epoch: after a wiped Redis the table counts from 1
 * again, and a proxy still serving the old table reports a high version of the
 * old epoch. Such a report has seen nothing of the current table (version -1),
 * so route-outs wait for it and drains do not end early on its word.
 */
function sameEpoch(report: ProxyReport, epoch: string | null | undefined): ProxyReport {
  if (!epoch || report.epoch === undefined || report.epoch === epoch) return report;
  return { ...report, version: -1 };
}
