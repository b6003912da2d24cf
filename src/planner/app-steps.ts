import type { NewContainerRef, ObservedContainer, OldContainerRef, Step } from "../model/index.js";
import { append, compareStrings } from "./compare.js";
import { isLive } from "./container-state.js";
import type { AppDraft, SlotDraft } from "./draft.js";
import { imageSteps } from "./image-steps.js";
import type { PlanContext } from "./plan-context.js";

export interface StepOptions {
  /** Drain time for containers of apps that are no longer desired (their spec, and its drain, is gone). */
  pruneDrainMs: number;
  /** Set when the app's hostnames change: applied once its new containers are routed in. */
  hostnames: string[] | undefined;
}

/**
 * The ordered steps of one app (DESIGN.md, "Rollouts"): images first; then per
 * batch start ─▶ wait healthy ─▶ route in the new, route out ─▶ drain ─▶ stop
 * the old; old containers are removed only after every batch rolled, so a
 * failure anywhere can switch every slot back. Consecutive steps of one kind
 * concern different containers or hosts and may run concurrently.
 */
export function appSteps(ctx: PlanContext, draft: AppDraft, options: StepOptions): Step[] {
  const steps: Step[] = [];
  const spec = draft.spec;
  const drainMs = spec?.rollout.drainMs ?? options.pruneDrainMs;
  const rolling = draft.slots.filter((s) => s.action !== "keep");
  const removed = new Set<ObservedContainer>();
  if (spec && rolling.length > 0) {
    const targets = [...new Set(rolling.map(hostOf))].sort(compareStrings);
    append(steps, imageSteps(ctx, spec, targets));
    const byName = containersByHostAndName(draft);
    const batch = Math.max(1, spec.rollout.batch);
    for (let i = 0; i < rolling.length; i += batch) {
      const news = rolling.slice(i, i + batch).map((s) => newRef(ctx, draft, s, spec.specHash));
      // Same slot, spec and host give the same name (self-heal): the old one must go before the start.
      const conflicts = unique(news.map((n) => byName(n.host, n.name)));
      append(steps, retire(conflicts, drainMs, true));
      for (const c of conflicts) removed.add(c);
      for (const kind of ["start", "waitHealthy", "routeIn"] as const) {
        for (const container of news) steps.push({ kind, container });
      }
      const olds = unique(rolling.slice(i, i + batch).map((s) => s.current)).filter((c) => !removed.has(c));
      append(steps, retire(olds, drainMs, false));
    }
  }
  if (options.hostnames) steps.push({ kind: "setHostnames", hostnames: options.hostnames });
  const going = draft.retiring.map((r) => r.container).filter((c) => !removed.has(c));
  append(steps, retire(going, drainMs, false));
  const leftovers = [...rolling.map((s) => s.current), ...going];
  for (const c of unique(leftovers)) if (!removed.has(c)) steps.push({ kind: "remove", container: oldRef(c) });
  return steps;
}

/** Route out, drain and stop the live ones; with `remove`, also remove all of them. */
function retire(containers: readonly ObservedContainer[], drainMs: number, remove: boolean): Step[] {
  const live = containers.filter(isLive).map(oldRef);
  const steps: Step[] = [];
  for (const container of live) steps.push({ kind: "routeOut", container });
  for (const container of live) steps.push({ kind: "drain", container, ms: drainMs });
  for (const container of live) steps.push({ kind: "stop", container });
  if (remove) for (const c of containers) steps.push({ kind: "remove", container: oldRef(c) });
  return steps;
}

function hostOf(slot: SlotDraft): string {
  if (slot.host === undefined) throw new Error(`slot ${slot.slot} was not placed`);
  return slot.host;
}

function newRef(ctx: PlanContext, draft: AppDraft, slot: SlotDraft, specHash: string): NewContainerRef {
  return { host: hostOf(slot), name: ctx.nameFor(draft.app, draft.env, slot.slot, specHash), slot: slot.slot };
}

function oldRef(c: ObservedContainer): OldContainerRef {
  return { host: c.host, id: c.id, name: c.name, slot: c.slot };
}

/** Finds the app's observed container with a name on a host; a scan for the usual handful, an index beyond. */
function containersByHostAndName(draft: AppDraft): (host: string, name: string) => ObservedContainer | undefined {
  const all: ObservedContainer[] = draft.retiring.map((r) => r.container);
  for (const s of draft.slots) if (s.current) all.push(s.current);
  if (all.length <= 16) return (host, name) => all.find((c) => c.name === name && c.host === host);
  const index = new Map(all.map((c) => [`${c.host}\u0000${c.name}`, c]));
  return (host, name) => index.get(`${host}\u0000${name}`);
}

function unique(list: readonly (ObservedContainer | undefined)[]): ObservedContainer[] {
  return [...new Set(list.filter((c): c is ObservedContainer => c !== undefined))];
}
