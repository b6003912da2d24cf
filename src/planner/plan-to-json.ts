import type { AppChange, ChangeKind, Plan, SlotAction, SlotChange, Step } from "../model/index.js";
import type { PlanSummary } from "./plan-summary.js";
import { summarizePlan } from "./plan-summary.js";

/** Bumped on any change a consumer could notice; see docs/plan-json.md. */
export const PLAN_JSON_VERSION = 1;

export interface PlanJsonSlot {
  slot: number;
  action: SlotAction;
  host: string;
  container: string | null;
  old: { host: string; id: string; name: string; specHash: string } | null;
  reasons: string[];
}

export interface PlanJsonApp {
  app: string;
  env: string;
  kind: ChangeKind;
  reasons: string[];
  error: string | null;
  image: string | null;
  specHash: string | null;
  replicas: number | null;
  hostnames: { before: string[]; after: string[] } | null;
  slots: PlanJsonSlot[];
  steps: Array<Record<string, unknown> & { kind: Step["kind"] }>;
}

export interface PlanJson {
  version: typeof PLAN_JSON_VERSION;
  source: { repo: string; sha: string };
  summary: PlanSummary;
  warnings: string[];
  apps: PlanJsonApp[];
}

/**
 * The plan in the documented, stable shape of docs/plan-json.md: every key
 * always present (null when it does not apply), keys in a fixed order, no
 * environment values (they stay in the deploy repo, and secrets never enter a plan).
 */
export function planToJson(plan: Plan): PlanJson {
  return {
    version: PLAN_JSON_VERSION,
    source: { repo: plan.source.repo, sha: plan.source.sha },
    summary: summarizePlan(plan),
    warnings: [...plan.warnings],
    apps: plan.changes.map(appToJson),
  };
}

function appToJson(c: AppChange): PlanJsonApp {
  return {
    app: c.app,
    env: c.env,
    kind: c.kind,
    reasons: [...c.reasons],
    error: c.error ?? null,
    image: c.spec?.image ?? null,
    specHash: c.spec?.specHash ?? null,
    replicas: c.spec?.replicas ?? null,
    hostnames: c.hostnames ? { before: [...c.hostnames.before], after: [...c.hostnames.after] } : null,
    slots: c.slots.map(slotToJson),
    steps: c.steps.map(stepToJson),
  };
}

function slotToJson(s: SlotChange): PlanJsonSlot {
  const old = s.old ? { host: s.old.host, id: s.old.id, name: s.old.name, specHash: s.old.specHash } : null;
  return { slot: s.slot, action: s.action, host: s.host, container: s.container ?? null, old, reasons: [...s.reasons] };
}

/** Explicit per kind, so a field added to the model does not silently change the published shape. */
function stepToJson(step: Step): PlanJsonApp["steps"][number] {
  switch (step.kind) {
    case "build":
      return {
        kind: step.kind,
        host: step.host,
        image: step.image,
        context: step.context,
        dockerfile: step.dockerfile,
      };
    case "ship":
      return { kind: step.kind, image: step.image, from: step.from, to: step.to };
    case "pull":
    case "push":
      return { kind: step.kind, host: step.host, image: step.image };
    case "start":
    case "waitHealthy":
    case "routeIn":
      return {
        kind: step.kind,
        container: { host: step.container.host, name: step.container.name, slot: step.container.slot },
      };
    case "routeOut":
    case "stop":
    case "remove":
      return { kind: step.kind, container: oldJson(step.container) };
    case "drain":
      return { kind: step.kind, container: oldJson(step.container), ms: step.ms };
    case "setHostnames":
      return { kind: step.kind, hostnames: [...step.hostnames] };
  }
}

function oldJson(c: { host: string; id: string; name: string; slot: number }) {
  return { host: c.host, id: c.id, name: c.name, slot: c.slot };
}
