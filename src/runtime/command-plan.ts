import { planHasChanges, type SecretSource } from "../model/index.js";
import { plan as makePlan, planToJson, renderPlanText } from "../planner/index.js";
import { resolveSecrets } from "../worker/secrets/resolve-secrets.js";
import { markUnplannable, planProblems } from "../worker/sync/gate-plan.js";
import { out, useColor } from "./cli-io.js";
import type { DockhandEnv } from "./env.js";
import { existingRedis } from "./existing-redis.js";
import { loadObserved } from "./load-observed.js";
import { loadDesired, type RepoFlags } from "./load-state.js";
import { secretSource } from "./rollout-deps.js";

export interface PlanFlags extends RepoFlags {
  json?: boolean;
  detailedExitcode?: boolean;
  observed?: string;
  /** Plan as `dockhand apply --allow-data-move` would. */
  allowDataMove?: boolean;
}

/** Exit 0, or with --detailed-exitcode 2 when the plan has changes (like terraform plan). */
export async function commandPlan(env: DockhandEnv, flags: PlanFlags): Promise<number> {
  // Secrets are hashed by their values' digests, as a sync does, or every app with secrets would show a change.
  const secrets = await resolveSecrets((await loadDesired(env, flags)).desired, await planSecrets(env));
  const { desired } = secrets;
  const observed = await loadObserved(env, desired, flags.observed);
  // Apps a sync could not apply (a missing secret, an unreadable source) show as errors, as in a sync's plan.
  const plan = markUnplannable(
    makePlan(desired, observed, { instance: env.instance, ...(flags.allowDataMove ? { allowDataMove: true } : {}) }),
    planProblems(desired, secrets.problems),
  );
  if (flags.json) out(JSON.stringify(planToJson(plan), null, 2));
  else out(renderPlanText(plan, { color: useColor() }));
  return flags.detailedExitcode && planHasChanges(plan) ? 2 : 0;
}

/** With the install's Redis when it answers (its digest key is the one syncs use), else the state dir's copy. */
async function planSecrets(env: DockhandEnv): Promise<SecretSource | undefined> {
  if (!env.secretsDir) return undefined;
  const redis = await existingRedis(env);
  if (!("client" in redis)) return secretSource(env);
  try {
    const secrets = secretSource(env, redis.client);
    // Read the key now, while the connection is open.
    await secrets?.digest("");
    return secrets;
  } finally {
    redis.client.disconnect();
    await redis.stop();
  }
}
