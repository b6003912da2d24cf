import type { Logger } from "pino";
import {
  ConfigError,
  type DeployOutcome,
  type DeployReporter,
  type DesiredState,
  type DockerPort,
  type EnvironmentSpec,
  type FailedSpecs,
  formatConfigIssue,
  type HostSpec,
  type InFlightSource,
  type KnownHosts,
  type ObservedState,
  type Plan,
  type PreviewRegistry,
  type ProxySpec,
  type PullRequestReporter,
  type RepoPort,
  type RouteStore,
  type SecretSource,
  type SyncHolds,
  type SyncJob,
} from "../../model/index.js";
import { plan as makePlan } from "../../planner/index.js";
import { executePlan } from "../rollout/execute-plan.js";
import type { StepEvent } from "../rollout/rollout-context.js";
import { resolveSecrets } from "../secrets/resolve-secrets.js";
import { SecretMask } from "../secrets/secret-mask.js";
import { type AppLocks, appsDesired, appsObserved } from "./app-lock.js";
import { environmentGate, environmentsOf } from "./environment-gate.js";
import { gatePlan, planProblems } from "./gate-plan.js";
import { hostsToObserve } from "./known-hosts.js";
import { parseInThread } from "./parse-in-thread.js";
import { type PromotionScheduler, schedulePromotions } from "./promotions.js";
import { readPushedCommit } from "./read-pushed-commit.js";
import { rememberFailures } from "./remember-failures.js";
import { SyncReports } from "./report-sync.js";
import { type RedisTrackedSources, trackedSourcesOf } from "./tracked-sources.js";

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
  /** What the proxies report: route-outs wait until every proxy serves them, drains end early. */
  proxies?: InFlightSource;
  /** Secret values (DOCKHAND_SECRETS_DIR); without it an app with secrets cannot be planned. */
  secrets?: SecretSource;
  /** Failed rollouts, so periodic syncs do not retry them at the same commit. */
  failedSpecs?: FailedSpecs;
  /** Apps held by `dockhand rollback`. */
  holds?: SyncHolds;
  /** Hosts of the last applied config, so a host dropped from dockhand.yaml is emptied, not forgotten. */
  knownHosts?: KnownHosts;
  /** Per-app locks shared by every worker (issue 6); without them nothing stops a second sync rolling the same apps. */
  locks?: AppLocks;
  /** Told when the sync starts, has a plan and ends: GitHub checks, the status branch (issue 7). */
  reporter?: DeployReporter;
  /** Where a sync of production records the source repositories its apps build from, for the webhook. */
  trackedSources?: Pick<RedisTrackedSources, "save">;
  /** Where a sync of production records dockhand.yaml's proxy settings, for the proxies that follow them. */
  proxySettings?: { save(proxy: ProxySpec): Promise<void> };
  /** Where a sync of the tracked branch records the environments, for the webhook and restarts (issue 15). */
  environments?: { save(environments: EnvironmentSpec[]): Promise<void> };
  /** The commit an environment last applied in full; an environment with `promote` may be re-synced at it. */
  appliedSha?: (env: string) => Promise<string | undefined>;
  /** Queues a sync of another environment (a push aimed at one with `promote` goes to the branch's). */
  enqueueSync?: (job: SyncJob) => Promise<unknown>;
  /** Where a healthy sync of an environment schedules the promotions waiting on it. */
  promotions?: PromotionScheduler;
  /** Reshapes the validated desired state before planning: a preview's apps (issue 7). */
  shapeDesired?: (desired: DesiredState) => DesiredState;
  /** Told when a preview is torn down (the status branch drops its file); the checks are not: no commit was deployed. */
  teardownReporter?: DeployReporter;
  /** Keeps each pull request's comment, plan check and preview deployment (issue 7). */
  pullRequests?: PullRequestReporter;
  /** The live previews; without it pull requests are planned but get no preview. */
  previews?: PreviewRegistry;
  /** Scheme of preview URLs. Default https. */
  previewScheme?: "http" | "https";
  now?: () => number;
}

/**
 * One sync: read the repo at a commit, validate, observe every host, plan, and
 * apply. A config that does not validate touches no host: the issues are
 * logged with their positions and returned in the outcome.
 */
export async function runSync(job: SyncJob, deps: SyncDeps, signal?: AbortSignal): Promise<DeployOutcome> {
  const read = await readPushedCommit(job, deps.repo, deps.log);
  if ("refused" in read) return read.refused;
  const { snapshot } = read;
  const sha = snapshot.source.sha;
  const log = deps.log.child({
    sha: sha.slice(0, 12),
    trigger: job.trigger,
    delivery: job.delivery,
    ...(job.source ? { source: `${job.source.repository}@${job.source.sha.slice(0, 12)}` } : {}),
  });
  let desired: DesiredState;
  try {
    desired = await parseInThread(snapshot);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const issue of err.issues) log.error({ issue: formatConfigIssue(issue) }, "deploy repo is invalid");
    log.error({ problems: err.issues.length }, "nothing applied: the last good state keeps running");
    return await new SyncReports(deps.reporter, job, sha, log).finish({
      sha,
      status: "failed",
      apps: [],
      error: { code: err.code, message: err.message, issues: err.issues },
    });
  }
  // A preview's environment is its own; every other one deploys only what its place allows.
  const gate = deps.shapeDesired
    ? { deploy: true as const, tracked: false }
    : environmentGate(job, desired, await deps.appliedSha?.(job.env));
  // Only a sync of the tracked branch writes what other syncs and processes rely on (docs/security.md).
  if (gate.deploy ? gate.tracked : job.trigger !== "promote") await publishConfig(desired, deps);
  if (!gate.deploy) return await redirect(job, sha, gate, deps, log);
  const reports = new SyncReports(deps.reporter, job, sha, log);
  if (deps.shapeDesired) desired = deps.shapeDesired(desired);
  const secrets = await resolveSecrets(desired, deps.secrets);
  desired = secrets.desired;
  // Containers and hooks may print what they were given: their output leaves this sync masked.
  const mask = new SecretMask(secrets.values);
  const hosts = hostsToObserve(desired.hosts, (await deps.knownHosts?.load()) ?? []);
  const dropped = { dropped: hosts.removed.map((h) => h.name) };
  const docker = deps.dockerFor(hosts.all);
  let lease: Awaited<ReturnType<AppLocks["acquire"]>> | undefined;
  try {
    // Held from before observing until the rollout ends: no other worker changes these apps in between.
    lease = await deps.locks?.acquire(appsDesired(desired, job.env), signal);
    let observed = await docker.observe(deps.instance, dropped);
    // Apps only observed (being deleted) are locked too; waiting for one means the observation is stale.
    if (await lease?.extend(appsObserved(observed, job.env), signal))
      observed = await docker.observe(deps.instance, dropped);
    observed.routes = await deps.routes.load();
    const planned = makePlan(desired, observed, {
      instance: deps.instance,
      envs: [job.env],
      ...(job.allowDataMove ? { allowDataMove: true } : {}),
    });
    const plan = await gatePlan(planned, job, planProblems(desired, secrets.problems), deps, log);
    reports.plan(plan, desired);
    if (deps.approve && !(await deps.approve(plan, desired))) {
      log.info("plan not approved; nothing applied");
      return await reports.finish({ sha, status: "noop", apps: [], declined: true });
    }
    log.info({ changes: plan.changes.filter((c) => c.kind !== "unchanged").length }, "plan ready");
    const rolloutLog = mask.logger(log);
    const executed = await executePlan(plan, observed, {
      docker,
      repo: deps.repo,
      routes: deps.routes,
      hosts: new Map(hosts.all.map((h) => [h.name, h])),
      instance: deps.instance,
      sha,
      log: rolloutLog,
      signal: lease && signal ? AbortSignal.any([signal, lease.lost]) : (lease?.lost ?? signal),
      onStep: deps.onStep,
      proxies: deps.proxies,
      secrets: secrets.values,
    });
    const outcome = mask.value(executed);
    await rememberFailures(plan, outcome, deps.failedSpecs, rolloutLog);
    if (gate.tracked)
      await deps.knownHosts?.save([...desired.hosts, ...stillOccupied(hosts.removed, observed, outcome, job.env)]);
    if (outcome.status !== "failed" && !deps.shapeDesired)
      await schedulePromotions(desired, job.env, snapshot, deps.promotions, log);
    log.info({ status: outcome.status }, "sync finished");
    return await reports.finish(outcome, () => docker.observe(deps.instance, dropped));
  } catch (err) {
    mask.thrown(err);
    await reports.failed(err);
    throw err;
  } finally {
    await lease?.release();
    await docker.close();
  }
}

/**
 * What other processes follow from the applied config: the webhook's source
 * list, the proxies' settings, the environments pushes and restarts sync.
 */
async function publishConfig(desired: DesiredState, deps: SyncDeps): Promise<void> {
  await deps.trackedSources?.save(trackedSourcesOf(desired));
  await deps.proxySettings?.save(desired.proxy);
  await deps.environments?.save(environmentsOf(desired));
}

/**
 * A sync aimed at an environment that may not take this commit: the commit
 * goes to the environments that follow the branch, and an environment with
 * `promote` is brought back to the commit it runs (a restart or a poll
 * re-converges it; it never moves forward here).
 */
async function redirect(
  job: SyncJob,
  sha: string,
  gate: { reason: string; branch: string[] },
  deps: SyncDeps,
  log: Logger,
): Promise<DeployOutcome> {
  log.info({ env: job.env, to: gate.branch, reason: gate.reason }, "sync redirected");
  const { pullRequest: _pr, retry: _retry, ...rest } = job;
  for (const env of gate.branch) await deps.enqueueSync?.({ ...rest, env, sha });
  // A restart or poll also heals drift in the environment itself; a push has nothing for it.
  const heals = job.trigger === "startup" || job.trigger === "poll";
  const applied = heals ? await deps.appliedSha?.(job.env) : undefined;
  if (applied !== undefined) await deps.enqueueSync?.({ ...rest, sha: applied });
  // Declined: nothing was applied here, so the queue must not record this commit as this environment's.
  return { sha, status: "noop", apps: [], declined: true };
}

/**
 * A removed host is forgotten once this sync emptied it: it was reachable,
 * the deploy did not fail, and no other environment (left alone by this sync)
 * has containers there.
 */
function stillOccupied(removed: HostSpec[], observed: ObservedState, outcome: DeployOutcome, env: string): HostSpec[] {
  return removed.filter((h) => {
    const seen = observed.hosts.find((o) => o.name === h.name);
    if (!seen?.reachable || outcome.status === "failed") return true;
    return seen.containers.some((c) => c.env !== env);
  });
}
