/**
 * Job payloads on the BullMQ queues. The webhook receiver and the timers make
 * them; the worker runs them. Kept here so neither side imports the other.
 */

export const QUEUE_NAMES = { sync: "dockhand-sync", promote: "dockhand-promote" } as const;

/** Why a sync was asked for; shows up in logs and the audit trail. */
export type SyncTrigger = "push" | "source" | "startup" | "poll" | "api" | "cli" | "pull_request" | "promote";

export interface SyncJob {
  trigger: SyncTrigger;
  /**
   * Environment to sync. A push, poll or startup names one that follows the
   * tracked branch (`production` when the deploy repo names no environments);
   * an environment with `promote` deploys only a `promote` job's commit.
   */
  env: string;
  /** Commit to deploy; undefined means "the head of the tracked branch, fetched now". */
  sha?: string;
  /** X-GitHub-Delivery of the webhook that asked, for tracing. */
  delivery?: string;
  /** Try again apps whose rollout failed at this commit (`dockhand apply --retry`, the API); others skip them. */
  retry?: boolean;
  /** Let slots with per-slot volumes move between hosts, leaving their data behind (`dockhand apply --allow-data-move`). */
  allowDataMove?: boolean;
  /** Set for a pull request's job (env `pr-<n>`): plan it against production, run its preview (issue 7). */
  pullRequest?: PullRequestInfo;
  /** The GitHub App installation that sent the webhook, so reports use its token. */
  installationId?: number;
  /** Set for a push to an app's source repository (`build.git`): which one, for logs and the audit trail. */
  source?: SourcePush;
  /** A promotion's source commits (build.git URL ─▶ sha): what the source environment built, built again. */
  pins?: Record<string, string>;
}

/** A push to a source repository that apps build from. */
export interface SourcePush {
  /** owner/name as GitHub names it. */
  repository: string;
  branch: string;
  sha: string;
  /** The apps that build from that repository and branch. */
  apps: string[];
}

/**
 * A source repository apps build from (`build.git`), as the last sync of
 * production read it: what the webhook matches pushes and pull requests against.
 */
export interface TrackedSource {
  url: string;
  /** The branch deployed (the repository's default branch when the app names none). */
  branch: string;
  apps: string[];
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
  /** Set when the PR is on an app's source repository (`build.git`), not on the deploy repo. */
  source?: PullRequestSource;
}

/** A pull request on a repository apps build from: the preview builds those apps from its head. */
export interface PullRequestSource {
  /** The build.git URLs that name the PR's repository (one repository can be written several ways). */
  urls: string[];
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
  /** Set for a pull request on an app's source repository: which, and the branch its apps deploy. */
  source?: { repository: string; branch: string; urls: string[] };
}

/**
 * A commit waiting to be promoted: when `dueAt` comes, the worker checks that
 * `from` still runs `sha`, healthy, since long enough, and then queues a sync
 * of `env` at `sha` (trigger `promote`).
 */
export interface PromotionJob {
  env: string;
  from: string;
  sha: string;
  /** How long `from` must have run `sha` healthy. */
  afterMs: number;
  /** The source commits `from` built (build.git URL ─▶ sha). */
  pins?: Record<string, string>;
}
