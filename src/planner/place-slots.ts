import { routeKey } from "../model/index.js";
import type { AppDraft, SlotDraft } from "./draft.js";
import type { Eligibility } from "./host-eligibility.js";
import { hostnameConflicts } from "./hostname-conflicts.js";
import type { PlanContext } from "./plan-context.js";

/**
 * Chooses a host for every slot that has none (new, or its host is no longer
 * eligible), honouring capacity across all apps and environments
 * (DESIGN.md, "Rollouts"). Drafts must be in plan order: earlier apps
 * (production first) get capacity first. An app that does not fit, or would
 * take a hostname another app keeps, gets `error` and keeps everything it
 * runs; the others still plan.
 * Returns warnings about hosts already over capacity.
 */
export function placeSlots(ctx: PlanContext, eligibility: Eligibility, drafts: readonly AppDraft[]): string[] {
  const pending = new Map<AppDraft, SlotDraft[]>();
  for (const d of drafts) {
    const slots = d.slots.filter((s) => s.host === undefined);
    if (d.spec && slots.length > 0) pending.set(d, slots);
  }
  const errors = new Map<AppDraft, string>();
  // An app that errors keeps the containers it meant to remove, which takes capacity
  // other apps may have been given: place again until no new error appears.
  for (;;) {
    const load = baseLoad(ctx, drafts, errors);
    let newError = false;
    for (const [draft, slots] of pending) {
      if (errors.has(draft)) continue;
      const error = placeApp(ctx, eligibility, draft, slots, load);
      if (error) {
        errors.set(draft, error);
        newError = true;
      }
    }
    for (const [draft, error] of hostnameConflicts(ctx, drafts, errors)) {
      errors.set(draft, error);
      newError = true;
    }
    if (!newError) {
      for (const [draft, error] of errors) draft.error = error;
      return overCapacityWarnings(ctx, load);
    }
    for (const slots of pending.values()) for (const s of slots) s.host = undefined;
  }
}

/** Managed containers each host keeps after the plan, before new placements. */
function baseLoad(ctx: PlanContext, drafts: readonly AppDraft[], errors: ReadonlyMap<AppDraft, string>) {
  const load = new Map<string, number>();
  const add = (host: string) => load.set(host, (load.get(host) ?? 0) + 1);
  for (const group of ctx.groups.values()) {
    if (!ctx.inScope(group.env)) for (const c of group.actionable) add(c.host);
  }
  for (const d of drafts) {
    if (errors.has(d)) {
      for (const c of ctx.groups.get(routeKey(d.env, d.app))?.actionable ?? []) add(c.host);
      continue;
    }
    for (const s of d.slots) if (s.host !== undefined) add(s.host);
  }
  return load;
}

function placeApp(
  ctx: PlanContext,
  eligibility: Eligibility,
  draft: AppDraft,
  slots: readonly SlotDraft[],
  load: Map<string, number>,
): string | undefined {
  const placement = draft.spec?.placement ?? {};
  const eligible = eligibility.hosts(placement);
  if (eligible.length === 0) return `no eligible host: ${eligibility.explain(placement)}`;
  const capacity = (host: string) => ctx.hosts.get(host)?.spec?.capacity ?? 0;
  const free = eligible.map((h) => `${h} ${Math.max(0, capacity(h) - (load.get(h) ?? 0))}`).join(", ");
  const appCount = new Map<string, number>();
  for (const s of draft.slots) if (s.host !== undefined) appCount.set(s.host, (appCount.get(s.host) ?? 0) + 1);
  const placed: SlotDraft[] = [];
  for (const slot of slots) {
    const host = pickHost(eligible, capacity, load, appCount);
    if (host === undefined) {
      for (const p of placed) load.set(p.host as string, (load.get(p.host as string) ?? 1) - 1);
      for (const p of placed) p.host = undefined;
      const wanted = slots.length;
      return `not enough capacity: wanted ${wanted} new ${wanted === 1 ? "container" : "containers"}, free per host: ${free}`;
    }
    slot.host = host;
    placed.push(slot);
    load.set(host, (load.get(host) ?? 0) + 1);
    appCount.set(host, (appCount.get(host) ?? 0) + 1);
  }
  return undefined;
}

/** Fewest containers of this app, then fewest overall, then by name (`eligible` is sorted). */
function pickHost(
  eligible: readonly string[],
  capacity: (host: string) => number,
  load: ReadonlyMap<string, number>,
  appCount: ReadonlyMap<string, number>,
): string | undefined {
  let best: string | undefined;
  let bestApp = 0;
  let bestLoad = 0;
  for (const host of eligible) {
    const hostLoad = load.get(host) ?? 0;
    if (hostLoad >= capacity(host)) continue;
    const mine = appCount.get(host) ?? 0;
    if (best === undefined || mine < bestApp || (mine === bestApp && hostLoad < bestLoad)) {
      best = host;
      bestApp = mine;
      bestLoad = hostLoad;
    }
  }
  return best;
}

function overCapacityWarnings(ctx: PlanContext, load: ReadonlyMap<string, number>): string[] {
  const warnings: string[] = [];
  for (const name of ctx.hostNames) {
    const host = ctx.hosts.get(name);
    const count = load.get(name) ?? 0;
    if (host?.spec && host.reachable && count > host.spec.capacity) {
      warnings.push(`host ${name} keeps ${count} managed containers, over its capacity of ${host.spec.capacity}`);
    }
  }
  return warnings;
}
