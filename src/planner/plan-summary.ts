import type { Plan } from "../model/index.js";

export interface PlanSummary {
  /** Slots that get a new container where none serves. */
  create: number;
  /** Slots whose container is replaced (new spec, dead, or moved). */
  replace: number;
  /** Containers removed without a successor (scale down, prune, duplicates). */
  remove: number;
  /** Slots left as they are. */
  keep: number;
  /** Apps whose hostnames change. */
  hostnameChanges: number;
  /** Apps that cannot be planned (nothing of them is applied). */
  errors: number;
  appsChanged: number;
  appsUnchanged: number;
}

export function summarizePlan(plan: Plan): PlanSummary {
  const s: PlanSummary = {
    create: 0,
    replace: 0,
    remove: 0,
    keep: 0,
    hostnameChanges: 0,
    errors: 0,
    appsChanged: 0,
    appsUnchanged: 0,
  };
  for (const change of plan.changes) {
    if (change.error !== undefined) s.errors++;
    else if (change.kind === "unchanged") s.appsUnchanged++;
    else s.appsChanged++;
    if (change.hostnames && change.error === undefined) s.hostnameChanges++;
    for (const slot of change.slots) s[slot.action]++;
  }
  return s;
}

/** `Plan: 2 to create, 3 to replace, 1 to remove, 4 apps unchanged.` */
export function formatSummary(s: PlanSummary): string {
  const parts = [`${s.create} to create`, `${s.replace} to replace`, `${s.remove} to remove`];
  if (s.hostnameChanges > 0) parts.push(count(s.hostnameChanges, "hostname change", "hostname changes"));
  parts.push(`${count(s.appsUnchanged, "app", "apps")} unchanged`);
  let line = `Plan: ${parts.join(", ")}.`;
  if (s.errors > 0) line += ` ${count(s.errors, "app", "apps")} cannot be planned.`;
  return line;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `No changes: 4 apps unchanged.` */
export function formatNoChanges(appsUnchanged: number): string {
  return `No changes: ${count(appsUnchanged, "app", "apps")} unchanged.`;
}
