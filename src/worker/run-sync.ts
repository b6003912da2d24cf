import type { Logger } from "pino";
import { parseDeployRepo } from "../config/index.js";
import {
  ConfigError,
  type DeployOutcome,
  type DesiredState,
  type DockerPort,
  formatConfigIssue,
  type HostSpec,
  type Plan,
  type RepoPort,
  type RouteStore,
  type SyncJob,
} from "../model/index.js";
import { plan as makePlan } from "../planner/index.js";
import { executePlan } from "./execute-plan.js";
import type { StepEvent } from "./rollout-context.js";

export interface SyncDeps {
  repo: RepoPort;
  /** Engines are named by the config being applied, so the pool is made per sync. */
  dockerFor: (hosts: HostSpec[]) => DockerPort;
  routes: RouteStore;
  instance: string;
  log: Logger;
  onStep?: (event: StepEvent) => void;
  /**
   * Sees the plan before anything is applied (the CLI prints it and asks);
   * returning false applies nothing. Without it, plans are applied.
   */
  approve?: (plan: Plan, desired: DesiredState) => Promise<boolean>;
}

/**
 * One sync: read the repo at a commit, validate, observe every host, plan, and
 * apply. A config that does not validate touches no host: the issues are
 * logged with their positions and returned in the outcome.
 */
export async function runSync(job: SyncJob, deps: SyncDeps, signal?: AbortSignal): Promise<DeployOutcome> {
  const snapshot = await deps.repo.snapshot(job.sha);
  const sha = snapshot.source.sha;
  const log = deps.log.child({ sha: sha.slice(0, 12), trigger: job.trigger, delivery: job.delivery });
  let desired: DesiredState;
  try {
    desired = parseDeployRepo(snapshot);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const issue of err.issues) log.error({ issue: formatConfigIssue(issue) }, "deploy repo is invalid");
    log.error({ problems: err.issues.length }, "nothing applied: the last good state keeps running");
    return {
      sha,
      status: "failed",
      apps: [],
      error: { code: err.code, message: err.message, issues: err.issues },
    };
  }
  const docker = deps.dockerFor(desired.hosts);
  try {
    const observed = await docker.observe(deps.instance);
    observed.routes = await deps.routes.load();
    const plan = makePlan(desired, observed, { instance: deps.instance, envs: [job.env] });
    if (deps.approve && !(await deps.approve(plan, desired))) {
      log.info("plan not approved; nothing applied");
      return { sha, status: "noop", apps: [], declined: true };
    }
    log.info({ changes: plan.changes.filter((c) => c.kind !== "unchanged").length }, "plan ready");
    const outcome = await executePlan(plan, observed, {
      docker,
      repo: deps.repo,
      routes: deps.routes,
      hosts: new Map(desired.hosts.map((h) => [h.name, h])),
      instance: deps.instance,
      sha,
      log,
      signal,
      onStep: deps.onStep,
    });
    log.info({ status: outcome.status }, "sync finished");
    return outcome;
  } finally {
    await docker.close();
  }
}
