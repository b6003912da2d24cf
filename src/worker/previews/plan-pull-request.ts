/**
 * What merging a pull request would change on the live hosts: the PR head's
 * config planned against production as it runs now, applying nothing. The
 * same steps as the first half of a sync (read, validate, resolve secrets,
 * observe, plan), without locks or gates: nothing is changed, so nothing
 * needs guarding. Only hosts the tracked branch names are contacted
 * (src/worker/read-pull-request.ts).
 */
import type { Logger } from "pino";
import {
  DockhandError,
  type ObservedState,
  type OutcomeError,
  type PlannedSync,
  type PullRequestInfo,
} from "../../model/index.js";
import { plan as makePlan, renderPlanMarkdown } from "../../planner/index.js";
import { resolveSecrets } from "../secrets/resolve-secrets.js";
import { environmentsOf } from "../sync/environment-gate.js";
import { markUnplannable, planProblems } from "../sync/gate-plan.js";
import type { SyncDeps } from "../sync/run-sync.js";
import { fetchPullRequestHead } from "./fetch-pull-request-head.js";
import { contactableHosts, NOT_CONTACTED, type PullRequestConfigs, readPullRequest } from "./read-pull-request.js";

export interface PullRequestPlan {
  /** Both configs; absent when either does not validate. */
  configs?: PullRequestConfigs;
  planned?: PlannedSync;
  error?: OutcomeError;
}

/**
 * A PR on the deploy repo is read at its head; one on a source repository
 * reads the deploy repo's tracked branch with that repository at the PR's head.
 */
export async function planPullRequest(pr: PullRequestInfo, deps: SyncDeps, log: Logger): Promise<PullRequestPlan> {
  await fetchPullRequestHead(pr, deps.repo);
  const read = await readPullRequest(pr, deps.repo);
  if ("error" in read) {
    log.info({ problems: read.error.issues?.length ?? 0 }, "pull request does not validate");
    return { error: read.error };
  }
  const { configs } = read;
  const secrets = await resolveSecrets(configs.head, deps.secrets);
  const hosts = contactableHosts(secrets.desired.hosts, configs.base.hosts);
  const docker = deps.dockerFor(hosts);
  try {
    const observed = await docker.observe(deps.instance);
    notContacted(
      observed,
      secrets.desired.hosts.map((h) => h.name),
    );
    observed.routes = await deps.routes.load();
    // What merging would change in each long-lived environment (a promoted one once it is promoted).
    const envs = environmentsOf(secrets.desired).map((e) => e.name);
    const made = makePlan(secrets.desired, observed, { instance: deps.instance, envs });
    // An app whose secret is missing or whose source cannot be read could not be applied either: say so.
    const plan = markUnplannable(made, planProblems(secrets.desired, secrets.problems));
    return { configs, planned: { plan, desired: secrets.desired, markdown: renderPlanMarkdown(plan) } };
  } catch (err) {
    if (!(err instanceof DockhandError) || err.transient) throw err;
    return { configs, error: { code: err.code, message: err.message } };
  } finally {
    await docker.close();
  }
}

/** The head's hosts that were not contacted show as unreachable, with why: the planner leaves them alone. */
function notContacted(observed: ObservedState, names: string[]): void {
  for (const name of names) {
    if (observed.hosts.some((h) => h.name === name)) continue;
    observed.hosts.push({ name, reachable: false, error: NOT_CONTACTED, containers: [], images: [] });
  }
}
