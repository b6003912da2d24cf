/**
 * The proxy reports' layout in Redis (issue 4; docs/rollouts.md): each proxy
 * writes `<prefix>proxy:<id>` (JSON, expiring) and adds its id to the set
 * `<prefix>proxies`. The proxies write (src/proxy/proxy-reporter.ts), the
 * executor reads (src/worker/rollout/redis-proxy-reports.ts); both use these helpers.
 */
import type { ProxyReport } from "./ports.js";

export function proxyReportKeys(prefix: string): { set: string; report: (id: string) => string } {
  return { set: `${prefix}proxies`, report: (id) => `${prefix}proxy:${id}` };
}

/**
 * The key of a container's in-flight count in a report: host and name, since
 * names are unique per engine only (a slot moving hosts keeps its name).
 */
export function inFlightKey(host: string, container: string): string {
  return `${host}/${container}`;
}

/** The route table's epoch key (src/proxy/redis-route-store.ts writes it; report readers compare with it). */
export function routeEpochKey(prefix: string): string {
  return `${prefix}routes:epoch`;
}

export function encodeProxyReport(report: Omit<ProxyReport, "id">): string {
  const epoch = report.epoch === undefined ? {} : { epoch: report.epoch };
  return JSON.stringify({ version: report.version, ...epoch, inFlight: report.inFlight });
}

/** Undefined for anything that is not a report (a foreign or corrupt value is ignored, never trusted). */
export function decodeProxyReport(id: string, json: string): ProxyReport | undefined {
  try {
    const value = JSON.parse(json) as { version?: unknown; epoch?: unknown; inFlight?: unknown };
    if (typeof value.version !== "number" || typeof value.inFlight !== "object" || value.inFlight === null) {
      return undefined;
    }
    const epoch = typeof value.epoch === "string" ? { epoch: value.epoch } : {};
    return { id, version: value.version, ...epoch, inFlight: value.inFlight as Record<string, number> };
  } catch {
    return undefined;
  }
}
