/**
 * After an environment ran a commit healthy, the environments promoted from
 * it are due that commit once `after` has passed (issue 15). The wait lives
 * in Redis (a delayed BullMQ job: src/worker/promotion), so a restart of
 * dockhand during it resumes it.
 */
import type { Logger } from "pino";
import type { DesiredState, PromotionJob, RepoSnapshot } from "../../model/index.js";
import { environmentsOf } from "./environment-gate.js";

export interface PromotionScheduler {
  /** Due after `job.afterMs`. */
  schedule(job: PromotionJob): Promise<void>;
  /** For an environment promoted by hand: the commit (and its source commits) a promotion would take. */
  offer(job: PromotionJob): Promise<void>;
}

export async function schedulePromotions(
  desired: DesiredState,
  env: string,
  snapshot: RepoSnapshot,
  scheduler: PromotionScheduler | undefined,
  log: Logger,
): Promise<void> {
  if (!scheduler) return;
  for (const target of environmentsOf(desired)) {
    const promote = target.promote;
    if (promote?.from !== env) continue;
    const job: PromotionJob = {
      env: target.name,
      from: env,
      sha: snapshot.source.sha,
      afterMs: promote.afterMs ?? 0,
      ...pinsOfEnvironment(desired, env),
    };
    if (promote.afterMs === undefined) {
      await scheduler.offer(job);
      continue;
    }
    await scheduler.schedule(job);
    log.info({ promote: target.name, from: env, afterMs: promote.afterMs }, "promotion scheduled");
  }
}

/**
 * The source commits `env`'s apps were built from (`build.git`): a promotion
 * builds exactly those, never whatever the source branch holds by then.
 */
export function pinsOfEnvironment(desired: DesiredState, env: string): { pins?: Record<string, string> } {
  const pins: Record<string, string> = {};
  for (const app of desired.apps) {
    if (app.env === env && app.build?.git?.sha) pins[app.build.git.url] = app.build.git.sha;
  }
  return Object.keys(pins).length > 0 ? { pins } : {};
}
