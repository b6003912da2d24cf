/**
 * A pull request's job (env `pr-<n>`, issue 7): plan the head against
 * production for the PR comment, then bring the preview to where it should
 * be (deployed from the head, or torn down on close, merge, expiry, or when
 * the PR may no longer have one), and report each step to the PR. The
 * preview deploy and teardown are ordinary syncs of `pr-<n>` with a reshaped
 * desired state: locks, secrets, health gates and rollback all apply.
 */
import type { Logger } from "pino";
import {
  type DeployOutcome,
  type DesiredState,
  formatConfigIssue,
  type OutcomeError,
  type PreviewApp,
  type PreviewRecord,
  type PreviewReport,
  type PullRequestInfo,
  type PullRequestReport,
  type RepoPort,
  type RepoSnapshot,
  type SyncJob,
} from "../../model/index.js";
import { runSync, type SyncDeps } from "../sync/run-sync.js";
import { planPullRequest } from "./plan-pull-request.js";
import {
  confinePreview,
  decidePreview,
  PREVIEW_LABEL,
  previewEnv,
  previewedApps,
  previewHostname,
} from "./preview-desired.js";

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
    await deps.previews?.revoke(previewEnv(pr));
    await tell({ ...(outcome ? { preview: removed(pr, `Removed: ${reason}.`) } : {}) });
    return outcome ?? NOTHING(pr.headSha);
  }
  const head = await planPullRequest(pr, deps, log);
  const base = { ...(head.planned ? { planned: head.planned } : {}), ...(head.error ? { error: head.error } : {}) };
  const configs = head.configs;
  if (!configs || !deps.previews) {
    await tell(base);
    return NOTHING(pr.headSha);
  }
  const env = previewEnv(pr);
  if (pr.action === "labeled" && pr.labels.includes(PREVIEW_LABEL)) await deps.previews.approve(env, pr.headSha);
  if (pr.action === "unlabeled" && !pr.labels.includes(PREVIEW_LABEL)) await deps.previews.revoke(env);
  const decision = decidePreview(pr, configs.base, await deps.previews.list(), await deps.previews.approval(env));
  const trusted = configs.trusted;
  if (decision.kind !== "deploy" || !trusted) {
    const outcome = await tearDown(job, deps, log, signal, false);
    if (decision.kind === "refused" && decision.removeLabel) await deps.previews.revoke(env);
    const preview =
      decision.kind === "deploy"
        ? blocked(pr, { kind: "refused", reason: untrustedReason(configs.trustedError) })
        : decision.kind === "none"
          ? outcome
            ? removed(pr, decision.reason)
            : undefined
          : blocked(pr, decision);
    const removeLabel = decision.kind === "refused" && decision.removeLabel ? { removeLabel: PREVIEW_LABEL } : {};
    await tell({ ...base, ...(preview ? { preview } : {}), ...removeLabel });
    return outcome ?? NOTHING(pr.headSha);
  }
  await tell({ ...base, preview: previewReport(pr, configs.base, "deploying", deps) });
  const outcome = await runSync(
    { ...job, env, sha: trusted.snapshot.source.sha },
    previewDeps(deps, pr, configs.base, trusted.snapshot),
    signal,
  );
  const record = await remember(pr, configs.base, outcome, deps, now());
  await tell({
    ...base,
    preview: {
      ...previewReport(pr, configs.base, outcome.status === "failed" ? "failed" : "live", deps, outcome),
      expiresAt: record.expiresAt,
    },
  });
  return outcome;
}

/** The head's apps validate only with the head's own dockhand.yaml (a host it adds, say): no preview before merge. */
function untrustedReason(error: OutcomeError | undefined): string {
  const first = error?.issues?.[0];
  const where = first ? ` (${formatConfigIssue(first)})` : error ? ` (${error.message})` : "";
  return `The apps of this pull request need its own dockhand.yaml to validate${where}; previews use the tracked branch's hosts and settings, so this one waits for the merge.`;
}

/**
 * The preview's sync reads exactly the snapshot the decision was made on (the
 * head's apps under the tracked branch's dockhand.yaml) and confines it to
 * what the tracked branch allows. A source repository's PR is reported on
 * that PR (comment, check, deployment), not on the deploy repo's head.
 */
function previewDeps(deps: SyncDeps, pr: PullRequestInfo, base: DesiredState, snapshot: RepoSnapshot): SyncDeps {
  const shaped: SyncDeps = {
    ...deps,
    repo: fixedSnapshot(deps.repo, snapshot),
    shapeDesired: (desired) => confinePreview(base, desired, pr),
  };
  return pr.source ? { ...shaped, reporter: undefined } : shaped;
}

/** The repo with `snapshot()` answering the one snapshot already read; builds still archive through the repo. */
function fixedSnapshot(repo: RepoPort, snapshot: RepoSnapshot): RepoPort {
  return {
    snapshot: async () => snapshot,
    contextTar: (sha, dir) => repo.contextTar(sha, dir),
    ...(repo.sources ? { sources: repo.sources } : {}),
  };
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
