/**
 * A pull request's job (env `pr-<n>`, issue 7): plan the head against
 * production for the PR comment, then bring the preview to where it should
 * be (deployed from the head, or torn down on close, merge, expiry, or when
 * the PR may no longer have one), and report each step to the PR. The
 * preview deploy and teardown are ordinary syncs of `pr-<n>` with a reshaped
 * desired state: locks, secrets, health gates and rollback all apply.
 */
import type { Logger } from "pino";
import type {
  DeployOutcome,
  DesiredState,
  PreviewApp,
  PreviewRecord,
  PreviewReport,
  PullRequestInfo,
  PullRequestReport,
  SyncJob,
} from "../model/index.js";
import { planPullRequest } from "./plan-pull-request.js";
import { decidePreview, previewEnv, previewedApps, previewHostname, shapePreview } from "./preview-desired.js";
import { runSync, type SyncDeps } from "./run-sync.js";

const NOTHING = (sha: string): DeployOutcome => ({ sha, status: "noop", apps: [] });

export async function runPullRequest(job: SyncJob, deps: SyncDeps, signal?: AbortSignal): Promise<DeployOutcome> {
  const pr = job.pullRequest;
  if (!pr) throw new TypeError("runPullRequest needs a job with pullRequest");
  const log = deps.log.child({ pr: pr.number, sha: pr.headSha.slice(0, 12), action: pr.action });
  const now = deps.now ?? Date.now;
  const tell = (report: Omit<PullRequestReport, "pullRequest" | "at">) =>
    sendReport(deps, log, { pullRequest: pr, at: now(), ...report }, job.installationId);
  if (pr.action === "closed" || pr.action === "expired") {
    const reason =
      pr.action === "expired"
        ? "it had no push for previews.ttl"
        : pr.merged
          ? "the pull request was merged"
          : "the pull request was closed";
    const outcome = await tearDown(job, deps, log, signal, true);
    await tell({ ...(outcome ? { preview: removed(pr, `Removed: ${reason}.`) } : {}) });
    return outcome ?? NOTHING(pr.headSha);
  }
  const head = await planPullRequest(pr, deps, log);
  if (!head.desired || !deps.previews) {
    await tell({ ...(head.planned ? { planned: head.planned } : {}), ...(head.error ? { error: head.error } : {}) });
    return NOTHING(pr.headSha);
  }
  const decision = decidePreview(pr, head.desired, await deps.previews.list());
  const base = { ...(head.planned ? { planned: head.planned } : {}), ...(head.error ? { error: head.error } : {}) };
  if (decision.kind !== "deploy") {
    const outcome = await tearDown(job, deps, log, signal, false);
    const preview =
      decision.kind === "none" ? (outcome ? removed(pr, decision.reason) : undefined) : blocked(pr, decision);
    await tell({ ...base, ...(preview ? { preview } : {}) });
    return outcome ?? NOTHING(pr.headSha);
  }
  await tell({ ...base, preview: previewReport(pr, head.desired, "deploying", deps) });
  // A source repository's PR deploys the deploy repo's tracked branch with that repository pinned to the PR head.
  const sha = pr.source ? undefined : pr.headSha;
  const outcome = await runSync({ ...job, env: previewEnv(pr), sha }, previewDeps(deps, pr), signal);
  const record = await remember(pr, head.desired, outcome, deps, now());
  await tell({
    ...base,
    preview: {
      ...previewReport(pr, head.desired, outcome.status === "failed" ? "failed" : "live", deps, outcome),
      expiresAt: record.expiresAt,
    },
  });
  return outcome;
}

/** A source repository's PR is reported on that PR (comment, check, deployment), not on the deploy repo's head. */
function previewDeps(deps: SyncDeps, pr: PullRequestInfo): SyncDeps {
  const shaped: SyncDeps = { ...deps, shapeDesired: (desired) => shapePreview(desired, pr) };
  return pr.source ? { ...shaped, reporter: undefined } : shaped;
}

/**
 * Removes `pr-<n>`'s containers and routes; undefined when there was no
 * preview. Without a record of one it looks only when `always` (a closed PR:
 * a record lost with Redis must not leave containers behind).
 */
async function tearDown(
  job: SyncJob,
  deps: SyncDeps,
  log: Logger,
  signal: AbortSignal | undefined,
  always: boolean,
): Promise<DeployOutcome | undefined> {
  const pr = job.pullRequest as PullRequestInfo;
  const env = previewEnv(pr);
  const known = await deps.previews?.get(env);
  if (!known && !always) return undefined;
  // The tracked branch's config names the hosts; the preview's apps are simply absent from it.
  const outcome = await runSync(
    { ...job, env, sha: undefined },
    { ...deps, reporter: deps.teardownReporter, shapeDesired: (desired) => ({ ...desired, apps: [] }) },
    signal,
  );
  if (outcome.status === "failed") {
    log.warn(
      { env, error: outcome.error?.message },
      "preview teardown failed; the next pull request event tries again",
    );
    return outcome;
  }
  await deps.previews?.remove(env);
  const removedApps = outcome.apps.filter((a) => a.status !== "noop").length;
  log.info({ env, removedApps }, "preview torn down");
  return known || removedApps > 0 ? outcome : undefined;
}

async function remember(
  pr: PullRequestInfo,
  desired: DesiredState,
  outcome: DeployOutcome,
  deps: SyncDeps,
  now: number,
): Promise<PreviewRecord> {
  const env = previewEnv(pr);
  const before = await deps.previews?.get(env);
  const pushed = pr.action === "labeled" || pr.action === "unlabeled" ? (before?.lastPushAt ?? now) : now;
  const ttl = desired.previews?.ttlMs ?? 0;
  const apps = previewApps(pr, desired, deps, outcome);
  const record: PreviewRecord = {
    env,
    number: pr.number,
    headSha: pr.headSha,
    lastPushAt: pushed,
    expiresAt: pushed + ttl,
    apps,
    pullRequest: pr,
  };
  await deps.previews?.put(record);
  return record;
}

function previewApps(
  pr: PullRequestInfo,
  desired: DesiredState,
  deps: SyncDeps,
  outcome?: DeployOutcome,
): PreviewApp[] {
  const domain = desired.previews?.domain ?? "";
  const scheme = deps.previewScheme ?? "https";
  return previewedApps(desired, pr).map((app) => ({
    app: app.name,
    url: `${scheme}://${previewHostname(app.name, pr, domain)}`,
    status: outcome?.apps.find((a) => a.app === app.name)?.status ?? "noop",
  }));
}

function previewReport(
  pr: PullRequestInfo,
  desired: DesiredState,
  state: PreviewReport["state"],
  deps: SyncDeps,
  outcome?: DeployOutcome,
): PreviewReport {
  const failed = outcome?.apps.find((a) => a.error)?.error?.message ?? outcome?.error?.message;
  return {
    env: previewEnv(pr),
    state,
    apps: previewApps(pr, desired, deps, outcome),
    ...(state === "failed" && failed ? { reason: failed } : {}),
  };
}

function removed(pr: PullRequestInfo, reason: string): PreviewReport {
  return { env: previewEnv(pr), state: "removed", apps: [], reason };
}

function blocked(pr: PullRequestInfo, decision: { kind: "refused" | "waiting"; reason: string }): PreviewReport {
  return { env: previewEnv(pr), state: decision.kind, apps: [], reason: decision.reason };
}

async function sendReport(
  deps: SyncDeps,
  log: Logger,
  report: PullRequestReport,
  installationId?: number,
): Promise<void> {
  if (!deps.pullRequests) return;
  try {
    await deps.pullRequests.report(report, installationId);
  } catch (err) {
    log.warn({ err: err instanceof Error ? err.message : String(err) }, "pull request report failed");
  }
}
