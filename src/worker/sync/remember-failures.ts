import type { Logger } from "pino";
import type { DeployOutcome, FailedSpecs, Plan } from "../../model/index.js";

/**
 * After a sync: an app whose rollout failed is remembered with its spec and
 * commit (periodic syncs then leave it alone); one that rolled forgets it.
 * Plan errors are not remembered: they cost nothing to find again.
 */
export async function rememberFailures(
  plan: Plan,
  outcome: DeployOutcome,
  failedSpecs: FailedSpecs | undefined,
  log: Logger,
): Promise<void> {
  if (!failedSpecs) return;
  for (const app of outcome.apps) {
    const spec = plan.changes.find((c) => c.app === app.app && c.env === app.env)?.spec;
    try {
      if (app.status === "succeeded") await failedSpecs.clear(app.env, app.app);
      else if ((app.status === "failed" || app.status === "rolledBack") && app.failedStep && spec) {
        const message = app.error?.message ?? "rollout failed";
        await failedSpecs.record({
          ...{ app: app.app, env: app.env },
          specHash: spec.specHash,
          commit: plan.source.sha,
          at: Date.now(),
          message,
        });
      }
    } catch (err) {
      log.warn({ app: app.app, err: String(err) }, "could not record the rollout's result");
    }
  }
}
