/**
 * Which environment a sync may deploy the commit it read to (issue 15). An
 * environment that follows the branch takes any commit of it. One with
 * `promote` takes only a promotion's commit, or the commit it already runs
 * (a restart re-converging it); a push, poll or startup aimed at it goes to
 * the environments that follow the branch instead, so production never gets
 * a commit staging has not proved, whatever asked.
 */
import type { DesiredState, EnvironmentSpec, SyncJob } from "../../model/index.js";

export type EnvironmentGate =
  /** Deploy. `tracked`: the commit is the tracked branch's, whose config other processes follow. */
  | { deploy: true; tracked: boolean }
  /** Do not deploy here; the commit goes to `branch` (the environments that follow the branch). */
  | { deploy: false; reason: string; branch: string[] };

export function environmentsOf(desired: Pick<DesiredState, "environments">): EnvironmentSpec[] {
  return desired.environments ?? [{ name: "production" }];
}

/** The environments a push of the tracked branch deploys to. */
export function branchEnvironments(desired: Pick<DesiredState, "environments">): string[] {
  return environmentsOf(desired)
    .filter((e) => !e.promote)
    .map((e) => e.name);
}

export function environmentGate(
  job: SyncJob,
  desired: Pick<DesiredState, "environments">,
  appliedSha: string | undefined,
): EnvironmentGate {
  const env = environmentsOf(desired).find((e) => e.name === job.env);
  const branch = branchEnvironments(desired);
  if (env && !env.promote) return { deploy: true, tracked: job.trigger !== "promote" };
  if (env?.promote && (job.trigger === "promote" || (job.sha !== undefined && job.sha === appliedSha)))
    return { deploy: true, tracked: false };
  const why = env?.promote
    ? `${job.env} deploys only commits ${env.promote.from} proved`
    : `dockhand.yaml has no environment ${job.env}`;
  return { deploy: false, reason: `${why}; this commit goes to ${branch.join(", ")}`, branch };
}
