import type { AppSpec, HostSpec, ObservedContainer } from "../model/index.js";
import { canonicalIp, routeKey } from "../model/index.js";
import { compareStrings } from "./compare.js";
import { isLive, isServing, isValidSlot, notServingReason } from "./container-state.js";
import type { AppDraft, Retiring, SlotDraft } from "./draft.js";
import type { Eligibility } from "./host-eligibility.js";
import { ineligibleReason } from "./host-eligibility.js";
import { normalizeImageRef } from "./image-ref.js";
import type { AppContainers, PlanContext } from "./plan-context.js";

const EMPTY: AppContainers = { env: "", app: "", actionable: [], ghosts: [], retired: [] };

/** Compare a desired app with what runs: one draft slot per replica, plus the containers that go. */
export function diffApp(ctx: PlanContext, eligibility: Eligibility, spec: AppSpec): AppDraft {
  const key = routeKey(spec.env, spec.name);
  const group = ctx.groups.get(key) ?? EMPTY;
  const { bySlot, retiring } = partitionBySlot(group, spec.replicas);
  const ghostHosts = new Map<number, string>();
  for (const g of group.ghosts) {
    const seen = ghostHosts.get(g.slot);
    if (seen === undefined || g.host < seen) ghostHosts.set(g.slot, g.host);
  }
  const exists = group.actionable.length + group.ghosts.length > 0 || (ctx.routes?.has(key) ?? false);
  const observedReplicas = countObservedSlots(group);
  const isEligible = (host: string) => eligibility.has(spec.placement, host);
  let routed: ReadonlySet<string> | undefined;
  const rank = (c: ObservedContainer) => {
    routed ??= routedContainers(ctx, key);
    return candidateRank(c, spec, isEligible, routed);
  };
  const slots: SlotDraft[] = [];
  for (let slot = 0; slot < spec.replicas; slot++) {
    const candidates = bySlot[slot];
    if (candidates && candidates.length > 1) {
      candidates.sort((a, b) => compareCandidates(a, b, rank));
      for (const extra of candidates.slice(1)) retiring.push({ container: extra, reason: `duplicate of slot ${slot}` });
    }
    const current = candidates?.[0];
    if (current) slots.push(diffSlot(ctx, spec, slot, current));
    else {
      const ghostHost = ghostHosts.get(slot);
      const unseen = ghostHost === undefined && exists ? unseenHosts(ctx, spec) : undefined;
      slots.push(missingSlot(ctx, spec, slot, { exists, observedReplicas, ghostHost, unseen }));
    }
  }
  return { key, env: spec.env, app: spec.name, spec, slots, retiring, reasons: exists ? [] : ["new app"], exists };
}

/** Containers by the slot they serve; those beyond `replicas` or with a bad slot label go. */
function partitionBySlot(group: AppContainers, replicas: number) {
  const bySlot: ObservedContainer[][] = [];
  const retiring: Retiring[] = [];
  for (const c of group.actionable) {
    if (!isValidSlot(c.slot)) retiring.push({ container: c, reason: "invalid slot label" });
    else if (c.slot >= replicas) retiring.push({ container: c, reason: scaleDown(replicas) });
    else {
      const list = bySlot[c.slot];
      if (list) list.push(c);
      else bySlot[c.slot] = [c];
    }
  }
  return { bySlot, retiring };
}

/** An observed app (or route) that is not desired: everything of it goes. */
export function pruneApp(group: AppContainers, reason: string): AppDraft {
  const retiring = [...group.actionable, ...group.retired].map((container) => ({ container, reason }));
  const key = routeKey(group.env, group.app);
  return { key, env: group.env, app: group.app, spec: undefined, slots: [], retiring, reasons: [reason], exists: true };
}

function diffSlot(ctx: PlanContext, spec: AppSpec, slot: number, current: ObservedContainer): SlotDraft {
  const reasons = specReasons(current, spec);
  const state = notServingReason(current) ?? unconfirmedReason(ctx, spec, current);
  if (state) reasons.push(state);
  const host = ctx.hosts.get(current.host);
  const exposed = bindingReason(host?.spec, current);
  if (exposed) reasons.push(exposed);
  const moved = host ? ineligibleReason(host, spec.placement) : `host ${current.host} unknown`;
  if (moved) {
    return { slot, action: "replace", host: undefined, current, reasons: [...reasons, moved], from: current.host };
  }
  const action = reasons.length > 0 ? "replace" : "keep";
  return { slot, action, host: current.host, current, reasons };
}

function missingSlot(
  ctx: PlanContext,
  spec: AppSpec,
  slot: number,
  seen: { exists: boolean; observedReplicas: number; ghostHost: string | undefined; unseen?: string },
): SlotDraft {
  let reasons: string[] = [];
  if (seen.ghostHost) reasons = [`host ${seen.ghostHost} unreachable`];
  // With a host down, a missing top slot may be one we cannot see, not a scale-up.
  else if (seen.exists && ctx.someHostUnreachable) reasons = ["no container on a reachable host"];
  else if (slot >= seen.observedReplicas && seen.exists) reasons = [`scale up to ${spec.replicas} replicas`];
  else if (seen.exists) reasons = ["container missing"];
  const was = seen.ghostHost ?? seen.unseen;
  const from = was === undefined ? {} : { from: was };
  return { slot, action: "create", host: undefined, current: undefined, reasons, ...from };
}

/**
 * What differs between a container and its desired spec, as far as the labels
 * tell: field by field when the container carries field digests (values are
 * never shown: a secret reads "secret X changed"), else the image or "spec changed".
 */
export function specReasons(current: ObservedContainer, spec: AppSpec): string[] {
  if (current.specHash === spec.specHash) return [];
  const reasons: string[] = [];
  const imageChanged = normalizeImageRef(current.image) !== normalizeImageRef(spec.image);
  if (imageChanged) reasons.push(`image ${current.image} → ${spec.image}`);
  if (current.specFields) reasons.push(...fieldReasons(current.specFields, spec.specFields, imageChanged));
  return reasons.length > 0 ? reasons : ["spec changed"];
}

function fieldReasons(before: Record<string, string>, after: Record<string, string>, imageShown: boolean): string[] {
  const reasons: string[] = [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compareStrings);
  for (const key of keys) {
    if (key === "image" && imageShown) continue;
    const was = before[key];
    const now = after[key];
    if (was === now) continue;
    const verb = was === undefined ? "added" : now === undefined ? "removed" : "changed";
    reasons.push(`${describeField(key)} ${verb}`);
  }
  return reasons;
}

/** `env.GREETING` reads "env GREETING"; `secret.DB_URL` "secret DB_URL". */
function describeField(key: string): string {
  const dot = key.indexOf(".");
  return dot < 0 ? key : `${key.slice(0, dot)} ${key.slice(dot + 1)}`;
}

/**
 * Where a missing slot of an app that exists may still run unseen: the
 * unreachable hosts its placement allows (`beta`, or `beta or gamma`). An
 * unreachable host lists no containers, so this is all the plan can know.
 */
function unseenHosts(ctx: PlanContext, spec: AppSpec): string | undefined {
  const names = ctx.hostNames.filter((name) => {
    const host = ctx.hosts.get(name);
    return (
      host?.spec !== undefined &&
      !host.reachable &&
      ineligibleReason({ ...host, reachable: true }, spec.placement) === undefined
    );
  });
  return names.length > 0 ? names.join(" or ") : undefined;
}

function scaleDown(replicas: number): string {
  return `scale down to ${replicas} ${replicas === 1 ? "replica" : "replicas"}`;
}

/**
 * Several containers can claim one slot after an interrupted rollout or a host
 * that came back. The best one serves the slot; the others are removed. Among
 * equals, the one the proxy routes to, then the oldest, stays: nothing moves
 * that need not.
 */
function candidateRank(
  c: ObservedContainer,
  spec: AppSpec,
  isEligible: (host: string) => boolean,
  routed: ReadonlySet<string>,
): boolean[] {
  const matches = c.specHash === spec.specHash;
  return [matches && isServing(c), isEligible(c.host), matches, isLive(c), routed.has(`${c.host}/${c.name}`)];
}

function compareCandidates(a: ObservedContainer, b: ObservedContainer, rank: (c: ObservedContainer) => boolean[]) {
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] ? -1 : 1;
  return a.createdAt - b.createdAt || compareStrings(a.host, b.host) || compareStrings(a.name, b.name);
}

/**
 * A running container of the right spec that the route table does not know
 * was started by a rollout that died before its health gate passed (a crash
 * between start and route-in): it was never confirmed healthy, so it is
 * replaced rather than trusted. Only when the table is known and has the app,
 * and for apps with a port: a worker is never routed, so running is all it proves.
 */
function unconfirmedReason(ctx: PlanContext, spec: AppSpec, current: ObservedContainer): string | undefined {
  if (spec.port === undefined) return undefined;
  if (current.specHash !== spec.specHash || current.state !== "running") return undefined;
  const route = ctx.routes?.get(routeKey(spec.env, spec.name));
  if (route === undefined) return undefined;
  const routed = route.upstreams.some((u) => u.host === current.host && u.container === current.name);
  return routed ? undefined : "never confirmed healthy (not in the route table)";
}

/**
 * A container whose port listens elsewhere than its host's bind address (made
 * before dockhand bound ports to one address, or before bindAddress changed)
 * stays reachable around the proxy until it is replaced; Docker cannot rebind
 * a running container.
 */
function bindingReason(host: HostSpec | undefined, current: ObservedContainer): string | undefined {
  const on = current.publishedOn;
  if (host === undefined || !on?.length || on.every((ip) => canonicalIp(ip) === host.bind)) return undefined;
  return `published on ${on.join(", ")}, should be ${host.bind}`;
}

const NONE: ReadonlySet<string> = new Set();

function routedContainers(ctx: PlanContext, key: string): ReadonlySet<string> {
  const route = ctx.routes?.get(key);
  return route ? new Set(route.upstreams.map((u) => `${u.host}/${u.container}`)) : NONE;
}

function countObservedSlots(group: AppContainers): number {
  let max = -1;
  for (const c of group.actionable) if (isValidSlot(c.slot) && c.slot > max) max = c.slot;
  for (const c of group.ghosts) if (isValidSlot(c.slot) && c.slot > max) max = c.slot;
  return max + 1;
}
