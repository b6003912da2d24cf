/**
 * Job payloads on the BullMQ queues. The webhook receiver and the timers make
 * them; the worker runs them. Kept here so neither side imports the other.
 */

export const QUEUE_NAMES = { sync: "dockhand-sync" } as const;

/** Why a sync was asked for; shows up in logs and the audit trail. */
export type SyncTrigger = "push" | "startup" | "poll" | "api" | "cli" | "pull_request";

export interface SyncJob {
  trigger: SyncTrigger;
  /** Environment to sync; `production` for the tracked branch. */
  env: string;
  /** Commit to deploy; undefined means "the head of the tracked branch, fetched now". */
  sha?: string;
  /** X-GitHub-Delivery of the webhook that asked, for tracing. */
  delivery?: string;
  /** Try again apps whose rollout failed at this commit (`dockhand apply --retry`, the API); others skip them. */
  retry?: boolean;
  /** Set for a pull request's job (env `pr-<n>`): plan it against production, run its preview (issue 7). */
  pullRequest?: PullRequestInfo;
  /** The GitHub App installation that sent the webhook, so reports use its token. */
  installationId?: number;
}

/**
 * What a pull_request event (or the preview reaper: `expired`) says about a
 * PR. `closed` covers merged ones (`merged` tells them apart).
 */
export type PullRequestAction = "opened" | "reopened" | "synchronize" | "closed" | "labeled" | "unlabeled" | "expired";

export interface PullRequestInfo {
  number: number;
  action: PullRequestAction;
  /** `owner/name` of the repo the PR is on. */
  repository: string;
  headSha: string;
  headRef: string;
  baseRef: string;
  /** The head lives in another repository (a fork). */
  fork: boolean;
  merged: boolean;
  labels: string[];
}

/** A pull request event handed to previews (the webhook makes it; the worker turns it into a pull_request job). */
export interface PreviewRequest {
  /** deploy: opened, reopened or pushed to; teardown: closed (merged or not). */
  action: "deploy" | "teardown";
  number: number;
  /** The pull request's head commit. */
  sha: string;
  /** The head branch name. */
  ref: string;
  /** The head lives in another repository (a fork). */
  fork: boolean;
  delivery?: string;
  /** GitHub's own action word (opened, synchronize, labeled, closed, ...). */
  event?: string;
  /** The PR's labels, when it has any (`dockhand:preview` lets a fork have a preview). */
  labels?: string[];
  /** Set when a closed pull request was merged. */
  merged?: boolean;
  /** The GitHub App installation that sent the event, so reports use its token. */
  installationId?: number;
}
