/**
 * The job for a pull request event: the webhook's PreviewRequest (in
 * src/model, shared by both sides) as a sync job of the PR's preview
 * environment carrying the PR. `repository` and `baseRef` are the deploy
 * repo's; a PR on an app's source repository carries its own.
 */
import type { PreviewRequest, PullRequestAction, PullRequestInfo, SyncJob } from "../../model/index.js";
import { previewEnv } from "./preview-desired.js";

const ACTIONS: ReadonlySet<string> = new Set(["opened", "reopened", "synchronize", "closed", "labeled", "unlabeled"]);

export function pullRequestJob(request: PreviewRequest, repository: string, baseRef: string): SyncJob {
  const fallback: PullRequestAction = request.action === "teardown" ? "closed" : "synchronize";
  const action = request.event && ACTIONS.has(request.event) ? (request.event as PullRequestAction) : fallback;
  const { source } = request;
  const pullRequest: PullRequestInfo = {
    number: request.number,
    action,
    repository: source?.repository ?? repository,
    headSha: request.sha,
    headRef: request.ref,
    baseRef: source?.branch ?? baseRef,
    fork: request.fork,
    merged: request.merged ?? false,
    labels: request.labels ?? [],
    ...(source ? { source: { urls: source.urls } } : {}),
  };
  return {
    trigger: "pull_request",
    env: previewEnv(pullRequest),
    sha: request.sha,
    ...(request.delivery ? { delivery: request.delivery } : {}),
    ...(request.installationId !== undefined ? { installationId: request.installationId } : {}),
    pullRequest,
  };
}
