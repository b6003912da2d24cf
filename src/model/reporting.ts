/**
 * Ports through which the worker tells the outside world about syncs and pull
 * requests: GitHub (src/github: check runs, statuses, the PR comment,
 * deployments) and the status branch (src/git). The worker calls them; only
 * the composition root knows the concrete reporters. Reporting never fails a
 * sync: callers catch and log what a reporter throws.
 */
import type { DesiredState } from "./desired-state.js";
import type { PullRequestInfo, SyncTrigger } from "./jobs.js";
import type { ObservedState } from "./observed-state.js";
import type { AppOutcomeStatus, DeployOutcome, OutcomeError } from "./outcome.js";
import type { Plan } from "./plan.js";

/** Which sync a report is about. */
export interface SyncReportContext {
  env: string;
  /** The deploy repo commit being synced. */
  sha: string;
  trigger: SyncTrigger;
  /** The GitHub App installation that sent the webhook, when one did. */
  installationId?: number;
  /** Epoch ms. */
  startedAt: number;
}

export interface PlannedSync {
  plan: Plan;
  desired: DesiredState;
  /** The plan as markdown (the planner's renderPlanMarkdown), for people. */
  markdown: string;
}

export interface FinishedSync {
  outcome: DeployOutcome;
  /** Absent when the deploy repo did not validate. */
  planned?: PlannedSync;
  /** What runs after the sync (observed again), when the sync changed something. */
  observed?: ObservedState;
  /** Epoch ms. */
  finishedAt: number;
}

/** Told about every sync of an environment, in this order. */
export interface DeployReporter {
  started(ctx: SyncReportContext): Promise<void>;
  planned(ctx: SyncReportContext, planned: PlannedSync): Promise<void>;
  finished(ctx: SyncReportContext, finished: FinishedSync): Promise<void>;
}

/**
 * A preview environment's state, as the PR comment shows it. `refused`: a
 * fork without permission; `waiting`: over `previews.maxActive`.
 */
export type PreviewState = "deploying" | "live" | "failed" | "removed" | "refused" | "waiting";

export interface PreviewApp {
  app: string;
  /** `https://<app>-pr-<n>.<domain>`. */
  url: string;
  status: AppOutcomeStatus;
}

export interface PreviewReport {
  /** `pr-<n>`. */
  env: string;
  state: PreviewState;
  apps: PreviewApp[];
  /** Why it is refused, waiting, failed or removed. */
  reason?: string;
  /** Epoch ms after which an idle preview is torn down. */
  expiresAt?: number;
}

export interface PullRequestReport {
  pullRequest: PullRequestInfo;
  /** What merging would change on production; absent when the head does not validate or the PR is closed. */
  planned?: PlannedSync;
  /** The head's config problems (issues carry file:line), or why planning failed. */
  error?: OutcomeError;
  /** Absent when no app of the head has previews enabled. */
  preview?: PreviewReport;
  /**
   * A label the reporter takes off the pull request: the preview label that
   * approved an earlier head of a fork's PR (docs/security.md). A label that
   * is already gone is no error.
   */
  removeLabel?: string;
  /** Epoch ms. */
  at: number;
}

/** Keeps one PR's comment, plan check and preview deployment up to date. */
export interface PullRequestReporter {
  report(report: PullRequestReport, installationId?: number): Promise<void>;
}

/** A live preview environment, kept so idle ones expire and the cap holds. */
export interface PreviewRecord {
  env: string;
  number: number;
  headSha: string;
  /** Epoch ms of the last push to the PR. */
  lastPushAt: number;
  /** Epoch ms after which the preview is torn down unless the PR gets a push (lastPushAt + previews.ttl). */
  expiresAt: number;
  apps: PreviewApp[];
  pullRequest: PullRequestInfo;
}

export interface PreviewRegistry {
  list(): Promise<PreviewRecord[]>;
  get(env: string): Promise<PreviewRecord | undefined>;
  put(record: PreviewRecord): Promise<void>;
  remove(env: string): Promise<void>;
  /**
   * The head commit a maintainer approved by labelling a fork's pull request
   * (by preview env): the label approves that commit only, never a later push.
   */
  approval(env: string): Promise<string | undefined>;
  approve(env: string, sha: string): Promise<void>;
  revoke(env: string): Promise<void>;
}
