/**
 * What merging a pull request would change on the live hosts: the PR head's
 * config planned against production as it runs now, applying nothing. The
 * same steps as the first half of a sync (read, validate, resolve secrets,
 * observe, plan), without locks or gates: nothing is changed, so nothing
 * needs guarding.
 */
import type { Logger } from "pino";
import {
  ConfigError,
  type DesiredState,
  DockhandError,
  type OutcomeError,
  type PlannedSync,
  type PullRequestInfo,
} from "../model/index.js";
import { plan as makePlan, renderPlanMarkdown } from "../planner/index.js";
import { markUnplannable, planProblems } from "./gate-plan.js";
import { parseInThread } from "./parse-in-thread.js";
import { resolveSecrets } from "./resolve-secrets.js";
import type { SyncDeps } from "./run-sync.js";
import { pinsOf } from "./source-reading-repo.js";

export interface PullRequestPlan {
  /** The head's desired state (validated); absent when it does not validate. */
  desired?: DesiredState;
  planned?: PlannedSync;
  error?: OutcomeError;
}

/**
 * A PR on the deploy repo is read at its head; one on a source repository
 * reads the deploy repo's tracked branch with that repository at the PR's head.
 */
export async function planPullRequest(pr: PullRequestInfo, deps: SyncDeps, log: Logger): Promise<PullRequestPlan> {
  const snapshot = await deps.repo.snapshot(pr.source ? undefined : pr.headSha, pinsOf(pr));
  let desired: DesiredState;
  try {
    desired = await parseInThread(snapshot);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    log.info({ problems: err.issues.length }, "pull request head does not validate");
    return { error: { code: err.code, message: err.message, issues: err.issues } };
  }
  const secrets = await resolveSecrets(desired, deps.secrets);
  const docker = deps.dockerFor(secrets.desired.hosts);
  try {
    const observed = await docker.observe(deps.instance);
    observed.routes = await deps.routes.load();
    const made = makePlan(secrets.desired, observed, { instance: deps.instance, envs: ["production"] });
    // An app whose secret is missing or whose source cannot be read could not be applied either: say so.
    const plan = markUnplannable(made, planProblems(secrets.desired, secrets.problems));
    return { desired, planned: { plan, desired: secrets.desired, markdown: renderPlanMarkdown(plan) } };
  } catch (err) {
    if (!(err instanceof DockhandError) || err.transient) throw err;
    return { desired, error: { code: err.code, message: err.message } };
  } finally {
    await docker.close();
  }
}
