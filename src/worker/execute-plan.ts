import {
  type AppChange,
  type AppOutcome,
  type DeployOutcome,
  type ObservedState,
  type Plan,
  routeKey,
  summariseOutcome,
} from "../model/index.js";
import { rollApp } from "./roll-app.js";
import type { RolloutContext } from "./rollout-context.js";

/** Apps roll in parallel up to this many at once; each app's own slots follow its plan. */
export const DEFAULT_APP_CONCURRENCY = 4;

/**
 * Runs a plan: every app through its steps, independently, so one app's
 * failure never stops another's rollout (DESIGN.md, "Data flow").
 */
export async function executePlan(
  plan: Plan,
  observed: ObservedState,
  ctx: RolloutContext,
  options: { appConcurrency?: number } = {},
): Promise<DeployOutcome> {
  const stored = new Map((await ctx.routes.load()).routes.map((r) => [routeKey(r.env, r.app), r]));
  const containers = observed.hosts.flatMap((h) => h.containers);
  const runOne = async (change: AppChange): Promise<AppOutcome> => {
    if (change.error !== undefined) {
      return {
        app: change.app,
        env: change.env,
        status: "failed",
        durationMs: 0,
        error: { code: "DOCKHAND_E_PLAN", message: change.error },
      };
    }
    const mine = containers.filter((c) => c.app === change.app && c.env === change.env);
    return rollApp(change, mine, ctx, stored.get(routeKey(change.env, change.app)));
  };
  const outcomes = await mapBounded(plan.changes, options.appConcurrency ?? DEFAULT_APP_CONCURRENCY, runOne);
  return summariseOutcome(plan.source.sha, outcomes);
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
