import type { DesiredState, ObservedState } from "../model/index.js";
import { routeKey } from "../model/index.js";
import { plan } from "./plan.js";
import type { PlanOptions } from "./plan-options.js";

/**
 * The desired state with every app's `${apps.…}` references resolved as a
 * plan would resolve them now, so what compares spec hashes outside a sync
 * (`dockhand status`, the dashboard) sees a dependent as current. Apps whose
 * references cannot be resolved are left as they are.
 */
export function resolvedDesired(
  desired: DesiredState,
  observed: ObservedState,
  options: PlanOptions = {},
): DesiredState {
  if (!desired.apps.some((a) => a.envRefs !== undefined)) return desired;
  const resolved = new Map(
    plan(desired, observed, options).changes.flatMap((c) =>
      c.spec && c.error === undefined ? [[routeKey(c.env, c.app), c.spec] as const] : [],
    ),
  );
  return { ...desired, apps: desired.apps.map((a) => resolved.get(routeKey(a.env, a.name)) ?? a) };
}
