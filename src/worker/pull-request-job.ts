/**
 * The job for a pull request event: the webhook's PreviewRequest (in
 * src/model, shared by both sides) as a sync job of env `pr-<n>` carrying the PR.
 */
import type { PreviewRequest, PullRequestAction, SyncJob } from "../model/index.js";
import { previewEnv } from "./preview-desired.js";

const ACTIONS: ReadonlySet<string> = new Set(["opened", "reopened", "synchronize", "closed", "labeled", "unlabeled"]);

export function pullRequestJob(request: PreviewRequest, repository: string, baseRef: string): SyncJob {
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
