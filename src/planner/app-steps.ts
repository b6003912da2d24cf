import type { AppSpec, NewContainerRef, ObservedContainer, OldContainerRef, Step } from "../model/index.js";
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

/** How old containers leave service: whether they are routed out and drained first, and for how long. */
interface Retirement {
  drainMs: number;
  /** Whether a live container goes through route-out and drain before its stop. */
  routed: (c: ObservedContainer) => boolean;
}

/**
 * The ordered steps of one app (docs/rollouts.md): images first; then per
 * batch start ─▶ wait healthy ─▶ route in the new, route out ─▶ drain ─▶ stop
 * the old (`start-first`), or the old out first and then the new (`recreate`:
 * never two containers of a slot at once); old containers are removed only
 * after every batch rolled, so a failure anywhere can switch every slot back.
 * Consecutive steps of one kind concern different containers or hosts and may
 * run concurrently.
 */
export function appSteps(ctx: PlanContext, draft: AppDraft, options: StepOptions): Step[] {
  const steps: Step[] = [];
  const spec = draft.spec;
  const retirement: Retirement = {
    drainMs: spec?.rollout.drainMs ?? options.pruneDrainMs,
    // A worker's old containers are routed only if they published a port (the app had one then); others may be.
    routed: (c) => spec?.port !== undefined || spec === undefined || c.hostPort !== undefined,
  };
  const rolling = draft.slots.filter((s) => s.action !== "keep");
  const removed = new Set<ObservedContainer>();
  const stopped = new Set<ObservedContainer>();
  if (spec && rolling.length > 0) {
    const targets = [...new Set(rolling.map(hostOf))].sort(compareStrings);
    append(steps, imageSteps(ctx, spec, targets));
    const byName = containersByHostAndName(draft);
    const recreate = spec.rollout.strategy === "recreate";
    // Without hostnames no proxy sends the old container anything: recreate stops it at once.
    const stopFirst = recreate ? { ...retirement, routed: () => servesHostnames(ctx, draft) } : retirement;
    const batch = Math.max(1, spec.rollout.batch);
    for (let i = 0; i < rolling.length; i += batch) {
      const slots = rolling.slice(i, i + batch);
      const news = slots.map((s) => newRef(ctx, draft, s, spec.specHash));
      // Same slot, spec and host give the same name (self-heal): the old one must go before the start.
      const conflicts = unique(news.map((n) => byName(n.host, n.name)));
      append(steps, retire(conflicts, retirement, true));
      for (const c of conflicts) removed.add(c);
      const olds = unique([...slots.map((s) => s.current), ...(recreate ? duplicatesOf(draft, slots) : [])]).filter(
        (c) => !removed.has(c),
      );
      if (recreate) {
        append(steps, retire(olds, stopFirst, false));
        for (const c of olds) stopped.add(c);
      }
      append(steps, bringUp(spec, news));
      if (!recreate) append(steps, retire(olds, retirement, false));
    }
  }
  if (options.hostnames) steps.push({ kind: "setHostnames", hostnames: options.hostnames });
  const going = draft.retiring.map((r) => r.container).filter((c) => !removed.has(c));
  append(
    steps,
    retire(
      going.filter((c) => !stopped.has(c)),
      retirement,
      false,
    ),
  );
  const leftovers = [...rolling.map((s) => s.current), ...going];
  for (const c of unique(leftovers)) if (!removed.has(c)) steps.push({ kind: "remove", container: oldRef(c) });
  return steps;
}

/** Start, health gate and, for an app with a port, route in: a worker is never routed. */
function bringUp(spec: AppSpec, news: readonly NewContainerRef[]): Step[] {
  const kinds =
    spec.port === undefined ? (["start", "waitHealthy"] as const) : (["start", "waitHealthy", "routeIn"] as const);
  const steps: Step[] = [];
  for (const kind of kinds) for (const container of news) steps.push({ kind, container });
  return steps;
}

/** Route out and drain the routed live ones, stop every live one; with `remove`, also remove all of them. */
function retire(containers: readonly ObservedContainer[], how: Retirement, remove: boolean): Step[] {
  const live = containers.filter(isLive);
  const routed = live.filter(how.routed).map(oldRef);
  const steps: Step[] = [];
  for (const container of routed) steps.push({ kind: "routeOut", container });
  for (const container of routed) steps.push({ kind: "drain", container, ms: how.drainMs });
  for (const container of live) steps.push({ kind: "stop", container: oldRef(container) });
  if (remove) for (const c of containers) steps.push({ kind: "remove", container: oldRef(c) });
  return steps;
}

/** Whether a proxy may send the app's containers requests now or during the plan: it has hostnames, or had them. */
function servesHostnames(ctx: PlanContext, draft: AppDraft): boolean {
  if ((draft.spec?.hostnames.length ?? 0) > 0) return true;
  // An unknown route table may hold hostnames: route out to be safe.
  return ctx.routes === undefined || (ctx.routes.get(draft.key)?.hostnames.length ?? 0) > 0;
}

/** Other containers claiming the rolling slots (an interrupted rollout's): under recreate they stop first too. */
function duplicatesOf(draft: AppDraft, slots: readonly SlotDraft[]): ObservedContainer[] {
  const numbers = new Set(slots.map((s) => s.slot));
  return draft.retiring.map((r) => r.container).filter((c) => numbers.has(c.slot));
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
