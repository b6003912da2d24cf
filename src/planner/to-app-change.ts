import type { AppChange, ChangeKind, ObservedContainer, SlotChange } from "../model/index.js";
import { appSteps } from "./app-steps.js";
import type { AppDraft } from "./draft.js";
import type { PlanContext } from "./plan-context.js";

/** Turns a placed draft into the AppChange the Plan carries. */
export function toAppChange(ctx: PlanContext, draft: AppDraft, pruneDrainMs: number): AppChange {
  const hostnames = hostnameChange(ctx, draft);
  const slots = slotChanges(ctx, draft);
  const change: AppChange = {
    app: draft.app,
    env: draft.env,
    kind: changeKind(draft, slots, hostnames !== undefined),
    reasons: appReasons(draft, slots, hostnames),
    slots,
    steps: [],
  };
  if (draft.spec) change.spec = draft.spec;
  if (hostnames) change.hostnames = hostnames;
  if (draft.error !== undefined) {
    change.error = draft.error;
    change.slots = [];
    return change;
  }
  change.steps = appSteps(ctx, draft, { pruneDrainMs, hostnames: hostnames?.after });
  return change;
}

function changeKind(draft: AppDraft, slots: readonly SlotChange[], hostnamesChange: boolean): ChangeKind {
  if (!draft.spec) return "delete";
  // A new app with no replicas and nothing to route has nothing to create.
  if (!hostnamesChange && slots.every((s) => s.action === "keep")) return "unchanged";
  return draft.exists ? "update" : "create";
}

function slotChanges(ctx: PlanContext, draft: AppDraft): SlotChange[] {
  const out: SlotChange[] = [];
  for (const s of draft.slots) {
    const host = s.host ?? s.current?.host ?? "";
    const change: SlotChange = { slot: s.slot, action: s.action, host, reasons: s.reasons };
    if (s.action === "keep") change.container = s.current?.name;
    else if (draft.spec) change.container = ctx.nameFor(draft.app, draft.env, s.slot, draft.spec.specHash);
    if (s.action === "replace" && s.current) change.old = oldWithSpec(s.current);
    out.push(change);
  }
  for (const r of draft.retiring) {
    const old = oldWithSpec(r.container);
    out.push({ slot: r.container.slot, action: "remove", host: r.container.host, old, reasons: [r.reason] });
  }
  return out;
}

function oldWithSpec(c: ObservedContainer): NonNullable<SlotChange["old"]> {
  return { host: c.host, id: c.id, name: c.name, slot: c.slot, specHash: c.specHash };
}

function appReasons(
  draft: AppDraft,
  slots: readonly SlotChange[],
  hostnames: { before: string[]; after: string[] } | undefined,
): string[] {
  if (draft.spec && !hostnames && slots.every((s) => s.reasons.length === 0)) {
    return slots.length === 0 ? [] : [...draft.reasons];
  }
  const reasons = new Set(draft.reasons);
  if (draft.spec) for (const s of slots) for (const r of s.reasons) reasons.add(r);
  if (hostnames && draft.spec) reasons.add("hostnames changed");
  return [...reasons];
}

function hostnameChange(ctx: PlanContext, draft: AppDraft): { before: string[]; after: string[] } | undefined {
  if (!ctx.routes) return undefined;
  const before = ctx.routes.get(draft.key)?.hostnames ?? [];
  const after = draft.spec?.hostnames ?? [];
  if (sameMembers(before, after)) return undefined;
  return { before: [...before], after: [...after] };
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  // The usual case, unchanged and in the same order, without allocating.
  if (a.length === b.length && a.every((x, i) => x === b[i])) return true;
  const setA = new Set(a);
  const setB = new Set(b);
  return setA.size === setB.size && [...setB].every((x) => setA.has(x));
}
