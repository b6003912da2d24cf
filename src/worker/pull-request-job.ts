/**
 * The job for a pull request event: the webhook's preview request (its
 * PreviewRequest, taken structurally: the worker does not import the
 * webhook) as a sync job of env `pr-<n>` carrying the PR.
 */
import type { PullRequestAction, SyncJob } from "../model/index.js";
import { previewEnv } from "./preview-desired.js";

export interface PreviewRequestLike {
  action: "deploy" | "teardown";
  number: number;
  sha: string;
  ref: string;
  fork: boolean;
  delivery?: string;
  /** GitHub's own action word (opened, synchronize, labeled, closed, ...). */
  event?: string;
  labels?: string[];
  merged?: boolean;
  installationId?: number;
}

const ACTIONS: ReadonlySet<string> = new Set(["opened", "reopened", "synchronize", "closed", "labeled", "unlabeled"]);

export function pullRequestJob(request: PreviewRequestLike, repository: string, baseRef: string): SyncJob {
  const fallback: PullRequestAction = request.action === "teardown" ? "closed" : "synchronize";
  const action = request.event && ACTIONS.has(request.event) ? (request.event as PullRequestAction) : fallback;
  return {
    trigger: "pull_request",
    env: previewEnv(request.number),
    sha: request.sha,
    ...(request.delivery ? { delivery: request.delivery } : {}),
    ...(request.installationId !== undefined ? { installationId: request.installationId } : {}),
    pullRequest: {
      number: request.number,
      action,
      repository,
      headSha: request.sha,
      headRef: request.ref,
      baseRef,
      fork: request.fork,
      merged: request.merged ?? false,
      labels: request.labels ?? [],
    },
  };
}
