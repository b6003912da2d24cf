import {
  type AppChange,
  type AppOutcome,
  type DeployOutcome,
  type ObservedState,
  type Plan,
  routeKey,
  summariseOutcome,
} from "../../model/index.js";
import { rollApp } from "./roll-app.js";
import type { RolloutContext } from "./rollout-context.js";
import { blockedBy, dependenciesOf, rolloutOrder } from "./rollout-order.js";

/** Apps roll in parallel up to this many at once; each app's own slots follow its plan. */
export const DEFAULT_APP_CONCURRENCY = 4;

/**
 * Runs a plan: every app through its steps, independently, so one app's
 * failure never stops another's rollout (docs/architecture.md, "Data flow"), except
 * that an app others reference rolls, and must succeed, before them.
 */
export async function executePlan(
  plan: Plan,
  observed: ObservedState,
  ctx: RolloutContext,
  options: { appConcurrency?: number } = {},
): Promise<DeployOutcome> {
  const stored = new Map((await ctx.routes.load()).routes.map((r) => [routeKey(r.env, r.app), r]));
  const containers = observed.hosts.flatMap((h) => h.containers);
  const lostHosts = ctx.lostHosts ?? new Set<string>();
  const appCtx: RolloutContext = { ...ctx, lostHosts };
  const keys = new Set(plan.changes.map((c) => routeKey(c.env, c.app)));
  const outcomeOf = new Map<string, Promise<AppOutcome>>();
  const runOne = async (change: AppChange): Promise<AppOutcome> => {
    const dependencies = await Promise.all(dependenciesOf(change, keys).map((k) => outcomeOf.get(k)));
    const blocked = blockedBy(
      change,
      dependencies.filter((o): o is AppOutcome => o !== undefined),
    );
    const error = change.error ?? blocked;
    if (error !== undefined) {
      return {
        app: change.app,
        env: change.env,
        status: "failed",
        durationMs: 0,
        error: { code: "DOCKHAND_E_PLAN", message: error },
      };
    }
    const mine = containers.filter((c) => c.app === change.app && c.env === change.env);
    return rollApp(change, mine, appCtx, stored.get(routeKey(change.env, change.app)));
  };
  // Dependencies come first in this order, so their outcomes are registered before a dependent waits on them.
  const ordered = rolloutOrder(plan.changes);
  const run = (change: AppChange) => {
    const outcome = runOne(change);
    outcomeOf.set(routeKey(change.env, change.app), outcome);
    return outcome;
  };
  const done = await mapBounded(ordered, options.appConcurrency ?? DEFAULT_APP_CONCURRENCY, run);
  const byKey = new Map(ordered.map((c, i) => [routeKey(c.env, c.app), done[i] as AppOutcome]));
  const outcomes = plan.changes.map((c) => byKey.get(routeKey(c.env, c.app)) as AppOutcome);
  if (lostHosts.size > 0) await unrouteLostHosts(appCtx, lostHosts);
  return summariseOutcome(plan.source.sha, outcomes);
}

/**
 * A host found unreachable mid-run: every app's route stops naming its
 * containers, including apps that rolled before it was lost (issue 4).
 */
async function unrouteLostHosts(ctx: RolloutContext, lost: ReadonlySet<string>): Promise<void> {
  const table = await ctx.routes.load();
  for (const route of table.routes) {
    const upstreams = route.upstreams.filter((u) => !lost.has(u.host));
    if (upstreams.length === route.upstreams.length) continue;
    await ctx.routes.setApp({ ...route, upstreams });
    ctx.log.warn({ app: route.app, env: route.env, hosts: [...lost] }, "routed away from unreachable hosts");
  }
}

async function mapBounded<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
