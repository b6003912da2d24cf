import type { AppChange, ChangeKind, SlotChange } from "../model/index.js";
import { containerName, routeKey } from "../model/index.js";
import { appSteps, oldRef } from "./app-steps.js";
import type { AppDraft } from "./draft.js";
import type { PlanContext } from "./plan-context.js";

/** Turns a placed draft into the AppChange the Plan carries. */
export function toAppChange(ctx: PlanContext, draft: AppDraft, pruneDrainMs: number): AppChange {
  const hostnames = hostnameChange(ctx, draft);
  const slots = slotChanges(draft);
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
  if (!draft.exists) return "create";
  return hostnamesChange || slots.some((s) => s.action !== "keep") ? "update" : "unchanged";
}

function slotChanges(draft: AppDraft): SlotChange[] {
  const out: SlotChange[] = [];
  for (const s of draft.slots) {
    const host = s.host ?? s.current?.host ?? "";
    const change: SlotChange = { slot: s.slot, action: s.action, host, reasons: s.reasons };
    if (s.action === "keep") change.container = s.current?.name;
    else if (draft.spec) change.container = containerName(draft.app, draft.env, s.slot, draft.spec.specHash);
    if (s.action === "replace" && s.current) change.old = { ...oldRef(s.current), specHash: s.current.specHash };
    out.push(change);
  }
  for (const r of draft.retiring) {
    const old = { ...oldRef(r.container), specHash: r.container.specHash };
    out.push({ slot: r.container.slot, action: "remove", host: r.container.host, old, reasons: [r.reason] });
  }
  return out;
}

function appReasons(
  draft: AppDraft,
  slots: readonly SlotChange[],
  hostnames: { before: string[]; after: string[] } | undefined,
): string[] {
  const reasons = new Set(draft.reasons);
  if (draft.spec) for (const s of slots) for (const r of s.reasons) reasons.add(r);
  if (hostnames && draft.spec) reasons.add("hostnames changed");
  return [...reasons];
}

function hostnameChange(ctx: PlanContext, draft: AppDraft): { before: string[]; after: string[] } | undefined {
  if (!ctx.routes) return undefined;
  const before = ctx.routes.get(routeKey(draft.env, draft.app))?.hostnames ?? [];
  const after = draft.spec?.hostnames ?? [];
  if (sameMembers(before, after)) return undefined;
  return { before: [...before], after: [...after] };
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  const setA = new Set(a);
  const setB = new Set(b);
  return setA.size === setB.size && [...setB].every((x) => setA.has(x));
}
