import type { AppSpec, DesiredState, ObservedState, Plan } from "../model/index.js";
import { DockhandError, routeKey } from "../model/index.js";
import { append, compareApps, compareStrings } from "./compare.js";
import { checkDataMoves } from "./data-moves.js";
import { diffApp, pruneApp } from "./diff-app.js";
import type { AppDraft } from "./draft.js";
import { createEligibility, type Eligibility } from "./host-eligibility.js";
import { hostWarnings } from "./host-warnings.js";
import { placeSlots } from "./place-slots.js";
import type { AppContainers, PlanContext } from "./plan-context.js";
import { buildPlanContext } from "./plan-context.js";
import type { PlanOptions } from "./plan-options.js";
import { resolveReferences } from "./resolve-references.js";
import { toAppChange } from "./to-app-change.js";

/** Drain time for containers of an app that is no longer in the deploy repo (its own setting is gone with it). */
export const DEFAULT_PRUNE_DRAIN_MS = 10_000;

/**
 * What it takes to get from what runs to what the deploy repo asks for.
 * Pure and deterministic: the same inputs give the same plan, whatever order
 * they come in. Throws DOCKHAND_E_PLAN only for a desired state config should
 * have refused (an app declared twice); an app that cannot be placed is an
 * error on that app's change, and the other apps still plan.
 */
export function plan(desired: DesiredState, observed: ObservedState, options: PlanOptions = {}): Plan {
  const ctx = buildPlanContext(desired, observed, options);
  const eligibility = createEligibility(ctx);
  const specs = desiredSpecs(ctx);
  let placed = placeApps(ctx, eligibility, specs, options);
  if ([...specs.values()].some((s) => s.envRefs !== undefined)) {
    // References name where apps run, which only placement knows; placement never depends on env, so once is enough.
    const resolved = resolveReferences(ctx, specs, placed.drafts);
    placed = placeApps(ctx, eligibility, resolved.specs, options);
    for (const d of placed.drafts) d.error ??= resolved.errors.get(d.key);
  }
  const pruneDrainMs = DEFAULT_PRUNE_DRAIN_MS;
  const changes = placed.drafts.map((d) => toAppChange(ctx, d, pruneDrainMs));
  return { source: desired.source, changes, warnings: placed.warnings };
}

/** Every app diffed against what runs, the ones that go added, and new slots given hosts. */
function placeApps(
  ctx: PlanContext,
  eligibility: Eligibility,
  specs: ReadonlyMap<string, AppSpec>,
  options: PlanOptions,
): { drafts: AppDraft[]; warnings: string[] } {
  const drafts: AppDraft[] = [];
  for (const spec of specs.values()) drafts.push(diffApp(ctx, eligibility, spec));
  const warnings = hostWarnings(ctx);
  append(drafts, pruneDrafts(ctx, specs, warnings));
  drafts.sort(compareApps);
  for (const d of drafts) d.retiring.sort((a, b) => compareContainers(a.container, b.container));
  append(warnings, placeSlots(ctx, eligibility, drafts));
  append(warnings, checkDataMoves(drafts, options.allowDataMove === true));
  return { drafts, warnings };
}

function desiredSpecs(ctx: PlanContext): Map<string, AppSpec> {
  const specs = new Map<string, AppSpec>();
  for (const spec of ctx.desired.apps) {
    if (!ctx.inScope(spec.env)) continue;
    const key = routeKey(spec.env, spec.name);
    const twin = specs.get(key);
    if (twin) {
      throw new DockhandError(
        "DOCKHAND_E_PLAN",
        `app ${spec.name} is declared twice in environment ${spec.env} (${twin.file} and ${spec.file}); app names must be unique`,
      );
    }
    specs.set(key, spec);
  }
  const owners = new Map<string, AppSpec>();
  for (const spec of specs.values()) {
    for (const hostname of spec.hostnames) {
      const owner = owners.get(hostname);
      if (owner && owner !== spec) {
        throw new DockhandError(
          "DOCKHAND_E_PLAN",
          `hostname ${hostname} is claimed by ${owner.name} (${owner.env}, ${owner.file}) and ${spec.name} (${spec.env}, ${spec.file}); a hostname belongs to one app`,
        );
      }
      owners.set(hostname, spec);
    }
  }
  return specs;
}

/** Managed containers (and routes) in scope whose app or environment the deploy repo no longer has. */
function pruneDrafts(ctx: PlanContext, specs: ReadonlyMap<string, AppSpec>, warnings: string[]): AppDraft[] {
  const desiredEnvs = new Set(ctx.desired.apps.map((a) => a.env));
  const why = (env: string) =>
    desiredEnvs.has(env) ? "app not in the deploy repo" : `environment ${env} not in the deploy repo`;
  const drafts = new Map<string, AppDraft>();
  const unreachableOnly: AppContainers[] = [];
  for (const [key, group] of ctx.groups) {
    if (specs.has(key) || !ctx.inScope(group.env)) continue;
    if (group.actionable.length > 0 || group.retired.length > 0) drafts.set(key, pruneApp(group, why(group.env)));
    if (group.actionable.length === 0 && group.ghosts.length > 0) unreachableOnly.push(group);
  }
  for (const group of unreachableOnly.sort(compareApps)) {
    const hosts = [...new Set(group.ghosts.map((g) => g.host))].sort(compareStrings).join(", ");
    warnings.push(
      `app ${group.app} (${group.env}) runs only on unreachable hosts (${hosts}): pruned once they are back`,
    );
  }
  for (const [key, route] of ctx.routes ?? []) {
    if (specs.has(key) || drafts.has(key) || !ctx.inScope(route.env)) continue;
    // Without hostnames there is nothing to act on: upstreams go with their containers.
    if (route.hostnames.length === 0) continue;
    const group = { env: route.env, app: route.app, actionable: [], ghosts: [], retired: [] };
    drafts.set(key, pruneApp(group, why(route.env)));
  }
  return [...drafts.values()];
}

function compareContainers(
  a: { slot: number; host: string; name: string },
  b: { slot: number; host: string; name: string },
): number {
  return slotOrder(a.slot) - slotOrder(b.slot) || compareStrings(a.host, b.host) || compareStrings(a.name, b.name);
}

/** Invalid slot labels (NaN, negative) sort first and consistently. */
function slotOrder(slot: number): number {
  return Number.isFinite(slot) ? slot : -1;
}
