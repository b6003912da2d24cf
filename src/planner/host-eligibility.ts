import type { PlacementSpec } from "../model/index.js";
import { compareStrings } from "./compare.js";
import type { HostInfo, PlanContext } from "./plan-context.js";

/**
 * Why a host may not run a slot of an app with this placement, or undefined
 * when it may. Capacity is not part of eligibility: a slot stays on its host
 * even when that host is full (docs/rollouts.md).
 */
export function ineligibleReason(host: HostInfo, placement: PlacementSpec): string | undefined {
  if (!host.spec) return `host ${host.name} removed from dockhand.yaml`;
  if (!host.reachable) return `host ${host.name} unreachable`;
  if (placement.hosts && !placement.hosts.includes(host.name)) return `host ${host.name} not in placement.hosts`;
  const labels = placement.labels;
  if (!labels) return undefined;
  for (const key of Object.keys(labels).sort(compareStrings)) {
    if (host.spec.labels[key] !== labels[key]) return `host ${host.name} lacks label ${key}=${labels[key]}`;
  }
  return undefined;
}

export interface Eligibility {
  /** Eligible host names, sorted. */
  hosts(placement: PlacementSpec): readonly string[];
  has(placement: PlacementSpec, host: string): boolean;
  /** Why each known host is not eligible, for error messages. */
  explain(placement: PlacementSpec): string;
}

/** Many apps share a placement (most have none): compute each distinct one once. */
export function createEligibility(ctx: PlanContext): Eligibility {
  const cache = new Map<string, { list: string[]; set: Set<string> }>();
  const lookup = (placement: PlacementSpec) => {
    const key = placementKey(placement);
    let entry = cache.get(key);
    if (!entry) {
      const list = ctx.hostNames.filter((name) => {
        const host = ctx.hosts.get(name);
        return host !== undefined && ineligibleReason(host, placement) === undefined;
      });
      entry = { list, set: new Set(list) };
      cache.set(key, entry);
    }
    return entry;
  };
  return {
    hosts: (placement) => lookup(placement).list,
    has: (placement, host) => lookup(placement).set.has(host),
    explain: (placement) => explainIneligible(ctx, placement),
  };
}

function placementKey(placement: PlacementSpec): string {
  const labels = Object.entries(placement.labels ?? {}).sort(([a], [b]) => compareStrings(a, b));
  return JSON.stringify([placement.hosts ?? null, labels]);
}

function explainIneligible(ctx: PlanContext, placement: PlacementSpec): string {
  const why: string[] = [];
  for (const name of ctx.hostNames) {
    const host = ctx.hosts.get(name);
    // Hosts gone from dockhand.yaml are not candidates anyone would expect; leave them out.
    if (!host?.spec) continue;
    const reason = ineligibleReason(host, placement);
    if (reason) why.push(reason);
  }
  return why.length > 0 ? why.join(", ") : "dockhand.yaml declares no hosts";
}
