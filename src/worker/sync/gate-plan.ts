/**
 * What a sync leaves out of its plan (issue 4): apps with a missing secret
 * or an unreadable source repository cannot be planned; an app whose spec already failed at this commit is not
 * tried again (no redeploy loop) unless the job says retry; an app held by
 * `dockhand rollback` stays as it is until the deploy repo changes its spec.
 */
import type { Logger } from "pino";
import {
  type AppChange,
  type DesiredState,
  type FailedSpecs,
  type Plan,
  routeKey,
  type SyncHolds,
  type SyncJob,
} from "../../model/index.js";

export interface GateDeps {
  failedSpecs?: FailedSpecs;
  holds?: SyncHolds;
}

/**
 * Apps that cannot be planned this time because their source repository
 * (`build.git`) could not be fetched, by `routeKey`: gated like a missing
 * secret, so their containers stay as they are while every other app deploys.
 */
export function unavailableBuilds(desired: DesiredState): Map<string, string> {
  const problems = new Map<string, string>();
  for (const app of desired.apps) {
    const why = app.build?.unavailable;
    if (why === undefined) continue;
    const message = `cannot build ${app.name}: ${why}; what runs stays until the repository can be read again`;
    problems.set(routeKey(app.env, app.name), message);
  }
  return problems;
}

/** The plan with the apps `problems` names turned into errors (no steps): shown, never applied. */
export function markUnplannable(plan: Plan, problems: ReadonlyMap<string, string>): Plan {
  const changes = plan.changes.map((c) => {
    const problem = problems.get(routeKey(c.env, c.app));
    return problem !== undefined && c.spec ? { ...c, steps: [], error: problem } : c;
  });
  return { ...plan, changes };
}

/** Why apps of `desired` cannot be planned: a missing secret (`secretProblems`) or an unreadable source. */
export function planProblems(desired: DesiredState, secretProblems: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...secretProblems, ...unavailableBuilds(desired)]);
}

export async function gatePlan(
  plan: Plan,
  job: SyncJob,
  problems: ReadonlyMap<string, string>,
  deps: GateDeps,
  log: Logger,
): Promise<Plan> {
  const changes: AppChange[] = [];
  const warnings = [...plan.warnings];
  for (const change of markUnplannable(plan, problems).changes) {
    if (change.error !== undefined) {
      changes.push(change);
      continue;
    }
    const skip = (await holdReason(change, deps.holds, log)) ?? (await failedReason(change, plan, job, deps));
    if (skip === undefined) changes.push(change);
    else warnings.push(skip);
  }
  return { ...plan, changes, warnings };
}

async function holdReason(change: AppChange, holds: SyncHolds | undefined, log: Logger): Promise<string | undefined> {
  const hold = await holds?.get(change.env, change.app);
  if (hold === undefined) return undefined;
  if (change.spec?.specHash === hold.heldSpecHash) {
    const since = new Date(hold.at).toISOString();
    return `app ${change.app} (${change.env}) is held since dockhand rollback at ${since}: left alone until a commit changes it`;
  }
  await holds?.release(change.env, change.app);
  log.info({ app: change.app, env: change.env }, "rollback hold released: the deploy repo changed the app");
  return undefined;
}

async function failedReason(change: AppChange, plan: Plan, job: SyncJob, deps: GateDeps): Promise<string | undefined> {
  if (job.retry || change.kind === "unchanged" || !change.spec || !deps.failedSpecs) return undefined;
  const failed = await deps.failedSpecs.get(change.env, change.app);
  if (failed?.specHash !== change.spec.specHash || failed.commit !== plan.source.sha) return undefined;
  const at = new Date(failed.at).toISOString();
  return (
    `app ${change.app} (${change.env}) failed at this commit (${at}: ${failed.message.split("\n")[0]}); ` +
    "not retried until a new commit, dockhand apply --retry or the API's retry"
  );
}
