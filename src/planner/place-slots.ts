import type { ObservedContainer } from "../model/index.js";
import type { AppDraft, SlotDraft } from "./draft.js";
import type { Eligibility } from "./host-eligibility.js";
import { addHostnameConflicts, hostnameHolders, takesHostname } from "./hostname-conflicts.js";
import type { PlanContext } from "./plan-context.js";

type Load = Map<string, number>;

/**
 * Per-host numbers as arrays indexed like `ctx.hostNames`: placement scans
 * every eligible host for every slot it places, so this loop must not hash.
 */
interface Hosts {
  index: ReadonlyMap<string, number>;
  capacity: Int32Array;
  load: Int32Array;
  /** Scratch, zero between apps: what the app being placed frees, and runs, per host. */
  room: Int32Array;
  mine: Int32Array;
  eligible: Map<readonly string[], Int32Array>;
}

/**
 * Chooses a host for every slot that has none (new, or its host is no longer
 * eligible), honouring capacity across all apps and environments
 * (docs/rollouts.md), in plan order (production first gets capacity first).
 *
 * An app that could fail in this plan (it places slots, or takes a hostname
 * another app holds) might not remove what it means to remove, so only it may
 * count on that room; apps that cannot fail free theirs for everyone. That
 * way one app's error never takes room another was given, and no second pass
 * is needed. An app that does not fit gets `error` and keeps everything it
 * runs; the others still plan. Returns warnings about hosts over capacity.
 */
export function placeSlots(ctx: PlanContext, eligibility: Eligibility, drafts: readonly AppDraft[]): string[] {
  for (const d of drafts) spreadFixedPort(d);
  const holders = hostnameHolders(ctx);
  const pending = new Map<AppDraft, SlotDraft[]>();
  const risky = new Set<AppDraft>();
  for (const d of drafts) {
    const slots = d.slots.filter((s) => s.host === undefined);
    if (d.spec && slots.length > 0) pending.set(d, slots);
    if (pending.has(d) || takesHostname(d, holders)) risky.add(d);
  }
  const errors = new Map<AppDraft, string>();
  if (pending.size > 0) {
    const hosts = hostArrays(ctx, drafts, risky);
    for (const [draft, slots] of pending) {
      const error = placeApp(ctx, eligibility, hosts, draft, slots);
      if (error) errors.set(draft, error);
    }
  }
  addHostnameConflicts(drafts, holders, errors);
  for (const [draft, error] of errors) draft.error = error;
  return overCapacityWarnings(ctx, drafts);
}

/**
 * A fixed host port binds once per host: of an app's slots that stay on one
 * host, the lowest keeps it and the others must move (made before hostPort was set).
 */
function spreadFixedPort(draft: AppDraft): void {
  const hostPort = draft.spec?.hostPort;
  if (hostPort === undefined) return;
  const taken = new Set<string>();
  for (const s of draft.slots) {
    if (s.host === undefined) continue;
    if (!taken.has(s.host)) {
      taken.add(s.host);
      continue;
    }
    s.from = s.host;
    s.host = undefined;
    s.action = "replace";
    s.reasons = [...s.reasons, `hostPort ${hostPort} allows one replica per host`];
  }
}

function actionableOf(ctx: PlanContext, d: AppDraft): readonly ObservedContainer[] {
  return ctx.groups.get(d.key)?.actionable ?? [];
}

/** Containers on each host after the plan, before new placements, freeing only what apps that cannot fail remove. */
function hostArrays(ctx: PlanContext, drafts: readonly AppDraft[], risky: ReadonlySet<AppDraft>): Hosts {
  const n = ctx.hostNames.length;
  const index = new Map(ctx.hostNames.map((name, i) => [name, i]));
  const capacity = new Int32Array(n);
  ctx.hostNames.forEach((name, i) => {
    capacity[i] = ctx.hosts.get(name)?.spec?.capacity ?? 0;
  });
  const load = new Int32Array(n);
  const add = (host: string) => {
    const i = index.get(host);
    if (i !== undefined) load[i] = (load[i] ?? 0) + 1;
  };
  for (const group of ctx.groups.values()) {
    if (!ctx.inScope(group.env)) for (const c of group.actionable) add(c.host);
  }
  for (const d of drafts) {
    if (risky.has(d)) for (const c of actionableOf(ctx, d)) add(c.host);
    else for (const s of d.slots) if (s.host !== undefined) add(s.host);
  }
  return { index, capacity, load, room: new Int32Array(n), mine: new Int32Array(n), eligible: new Map() };
}

function placeApp(
  ctx: PlanContext,
  eligibility: Eligibility,
  hosts: Hosts,
  draft: AppDraft,
  slots: readonly SlotDraft[],
): string | undefined {
  const placement = draft.spec?.placement ?? {};
  const names = eligibility.hosts(placement);
  if (names.length === 0) return `no eligible host: ${eligibility.explain(placement)}`;
  let eligible = hosts.eligible.get(names);
  if (!eligible) {
    eligible = Int32Array.from(names, (name) => hosts.index.get(name) ?? 0);
    hosts.eligible.set(names, eligible);
  }
  const touched = countOwn(ctx, hosts, draft);
  const free = (i: number) => (hosts.capacity[i] ?? 0) - (hosts.load[i] ?? 0) + (hosts.room[i] ?? 0);
  const freeText = Array.from(eligible, (i) => `${ctx.hostNames[i]} ${Math.max(0, free(i))}`).join(", ");
  const onePerHost = draft.spec?.hostPort !== undefined;
  let placed = 0;
  for (const slot of slots) {
    const i = pickHost(eligible, hosts, free, onePerHost);
    if (i < 0) break;
    slot.host = ctx.hostNames[i];
    hosts.load[i] = (hosts.load[i] ?? 0) + 1;
    hosts.mine[i] = (hosts.mine[i] ?? 0) + 1;
    placed++;
  }
  for (const i of touched) {
    hosts.room[i] = 0;
    hosts.mine[i] = 0;
  }
  for (const i of eligible) hosts.mine[i] = 0;
  if (placed === slots.length) return undefined;
  for (const slot of slots.slice(0, placed)) {
    const i = hosts.index.get(slot.host as string) ?? 0;
    hosts.load[i] = (hosts.load[i] ?? 0) - 1;
    slot.host = undefined;
  }
  const wanted = slots.length;
  const replicas = draft.spec?.replicas ?? wanted;
  if (onePerHost && replicas > names.length) {
    const eligibleText = `${names.length} eligible ${names.length === 1 ? "host" : "hosts"} (${names.join(", ")})`;
    return `hostPort ${draft.spec?.hostPort} allows one replica per host: wanted ${replicas} replicas, ${eligibleText}`;
  }
  return `not enough capacity: wanted ${wanted} new ${wanted === 1 ? "container" : "containers"}, free per host: ${freeText}`;
}

/** Fills the scratch arrays with what the app frees (its containers that do not stay) and runs per host. */
function countOwn(ctx: PlanContext, hosts: Hosts, draft: AppDraft): number[] {
  const touched: number[] = [];
  for (const c of actionableOf(ctx, draft)) {
    const i = hosts.index.get(c.host);
    if (i === undefined) continue;
    hosts.room[i] = (hosts.room[i] ?? 0) + 1;
    touched.push(i);
  }
  for (const s of draft.slots) {
    const i = s.host === undefined ? undefined : hosts.index.get(s.host);
    if (i === undefined) continue;
    hosts.room[i] = (hosts.room[i] ?? 0) - 1;
    hosts.mine[i] = (hosts.mine[i] ?? 0) + 1;
    touched.push(i);
  }
  return touched;
}

/**
 * Fewest containers of this app, then fewest overall, then by name (`eligible` is in name order); -1 when all are
 * full. With `onePerHost` (a fixed host port), only hosts without one of the app's slots.
 */
function pickHost(eligible: Int32Array, hosts: Hosts, free: (i: number) => number, onePerHost: boolean): number {
  let best = -1;
  let bestMine = 0;
  let bestLoad = 0;
  for (const i of eligible) {
    if (free(i) <= 0) continue;
    const mine = hosts.mine[i] ?? 0;
    if (onePerHost && mine > 0) continue;
    const load = hosts.load[i] ?? 0;
    if (best < 0 || mine < bestMine || (mine === bestMine && load < bestLoad)) {
      best = i;
      bestMine = mine;
      bestLoad = load;
    }
  }
  return best;
}

/** Hosts that keep more containers than their capacity after the plan (capacity was lowered, or hand-made containers). */
function overCapacityWarnings(ctx: PlanContext, drafts: readonly AppDraft[]): string[] {
  const after: Load = new Map();
  const add = (host: string) => after.set(host, (after.get(host) ?? 0) + 1);
  for (const group of ctx.groups.values()) {
    if (!ctx.inScope(group.env)) for (const c of group.actionable) add(c.host);
  }
  for (const d of drafts) {
    if (d.error !== undefined) for (const c of actionableOf(ctx, d)) add(c.host);
    else for (const s of d.slots) if (s.host !== undefined) add(s.host);
  }
  const warnings: string[] = [];
  for (const name of ctx.hostNames) {
    const host = ctx.hosts.get(name);
    const count = after.get(name) ?? 0;
    if (host?.spec && host.reachable && count > host.spec.capacity) {
      warnings.push(`host ${name} keeps ${count} managed containers, over its capacity of ${host.spec.capacity}`);
    }
  }
  return warnings;
}
