/**
 * Waiting on the proxies (issue 4, "zero dropped requests"). The route table
 * reaches every proxy through Redis pub/sub, asynchronously: a container
 * routed out is still picked by a proxy that has not applied the change yet.
 * So a route-out waits until every reporting proxy serves the new version,
 * and a drain ends as soon as none has a request in flight to the container.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type InFlightSource, inFlightKey, type ProxyReport } from "../../model/index.js";

export interface ProxyWaitOptions {
  pollMs: number;
  signal?: AbortSignal;
}

/** Proxy reports, or undefined when they cannot be read now (the wait then goes on blind). */
async function readReports(source: InFlightSource): Promise<ProxyReport[] | undefined> {
  try {
    return await source.read();
  } catch {
    return undefined;
  }
}

async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (err) {
    throw signal?.aborted ? signal.reason : err;
  }
}

/**
 * Resolves with the proxies that still serve an older table once `timeoutMs`
 * passed (empty when every reporting proxy serves `version` or later).
 */
export async function waitRouteSeen(
  source: InFlightSource | undefined,
  version: number,
  timeoutMs: number,
  options: ProxyWaitOptions,
): Promise<string[]> {
  if (source === undefined) return [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reports = await readReports(source);
    const lagging = reports?.filter((r) => r.version < version).map((r) => r.id);
    if (lagging?.length === 0) return [];
    if (Date.now() >= deadline) return lagging ?? ["(proxy reports unreadable)"];
    await pause(Math.min(options.pollMs, Math.max(0, deadline - Date.now())), options.signal);
  }
}

export type DrainEnd = "empty" | "timeout" | "blind";

/**
 * Resolves when every reporting proxy serves `version` (the route-out) or
 * later and has nothing in flight to `container` ("empty"), or when `ms`
 * passed ("timeout"). With no proxy reporting, it waits the whole `ms`
 * ("blind"): nothing tells it sooner that the container is idle.
 */
export async function drainContainer(
  source: InFlightSource | undefined,
  container: { host: string; name: string },
  version: number,
  ms: number,
  options: ProxyWaitOptions,
): Promise<DrainEnd> {
  const deadline = Date.now() + ms;
  let seenReports = false;
  for (;;) {
    const reports = source ? await readReports(source) : undefined;
    if (reports && reports.length > 0) {
      seenReports = true;
      const key = inFlightKey(container.host, container.name);
      if (reports.every((r) => r.version >= version && !r.inFlight[key])) return "empty";
    }
    const left = deadline - Date.now();
    if (left <= 0) return seenReports ? "timeout" : "blind";
    await pause(source ? Math.min(options.pollMs, left) : left, options.signal);
  }
}
