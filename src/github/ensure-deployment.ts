/**
 * A GitHub Deployment per preview (environment `pr-<n>`, on the PR's head
 * commit) whose newest status carries the preview's URL, so the PR shows
 * "deployed" with a link; marked inactive when the preview goes.
 */
import type { EnsureResult } from "./ensure-check-run.js";
import { clipDescription } from "./ensure-commit-status.js";
import type { GitHubOctokitInstance } from "./github-client.js";
import { gitHubFailure } from "./github-errors.js";
import { splitRepository } from "./repository-name.js";
import type { DeploymentState } from "./status-words.js";

export interface DeploymentTarget {
  environment: string;
  sha: string;
  state: DeploymentState;
  /** Where the preview is served. */
  environmentUrl?: string;
  description: string;
}

export async function ensureDeployment(
  octokit: GitHubOctokitInstance,
  repository: string,
  target: DeploymentTarget,
  auth: "app" | "token",
): Promise<EnsureResult> {
  const repo = splitRepository(repository);
  try {
    const { data: found } = await octokit.request("GET /repos/{owner}/{repo}/deployments", {
      ...repo,
      environment: target.environment,
      sha: target.sha,
      per_page: 1,
    });
    let id = found[0] ? Number(found[0].id) : undefined;
    if (id === undefined) {
      const created = await octokit.request("POST /repos/{owner}/{repo}/deployments", {
        ...repo,
        ref: target.sha,
        environment: target.environment,
        description: clipDescription(target.description),
        auto_merge: false,
        required_contexts: [],
        transient_environment: true,
        production_environment: false,
      });
      id = Number((created.data as { id: number }).id);
    }
    const changed = await ensureStatus(octokit, repo, id, target);
    return found[0] ? (changed ? "updated" : "unchanged") : "created";
  } catch (err) {
    throw gitHubFailure(err, { what: `record the deployment ${target.environment}`, repository, auth });
  }
}

async function ensureStatus(
  octokit: GitHubOctokitInstance,
  repo: { owner: string; repo: string },
  id: number,
  target: DeploymentTarget,
): Promise<boolean> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
    ...repo,
    deployment_id: id,
    per_page: 1,
  });
  const latest = data[0];
  if (latest && latest.state === target.state && (latest.environment_url ?? "") === (target.environmentUrl ?? "")) {
    return false;
  }
  await octokit.request("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
    ...repo,
    deployment_id: id,
    state: target.state,
    description: clipDescription(target.description),
    ...(target.environmentUrl ? { environment_url: target.environmentUrl } : {}),
    auto_inactive: true,
  });
  return true;
}

/** Every deployment of `environment` whose newest status is not inactive becomes inactive. */
export async function deactivateDeployments(
  octokit: GitHubOctokitInstance,
  repository: string,
  environment: string,
  auth: "app" | "token",
): Promise<number> {
  const repo = splitRepository(repository);
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments", {
      ...repo,
      environment,
      per_page: 100,
    });
    let changed = 0;
    for (const deployment of data) {
      const target = { environment, sha: deployment.sha, state: "inactive" as const, description: "preview removed" };
      if (await ensureStatus(octokit, repo, Number(deployment.id), target)) changed++;
    }
    return changed;
  } catch (err) {
    throw gitHubFailure(err, { what: `retire the deployments of ${environment}`, repository, auth });
  }
}
