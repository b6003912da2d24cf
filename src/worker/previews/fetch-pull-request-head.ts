/**
 * A pull request's head, fetched for its own job only: mirrors hold branches
 * and tags (docs/operations.md#git-mirrors), and a fork's head is on none of
 * them. A PR on the deploy repo is read at its head; one on a source
 * repository pins each build.git URL naming that repository to its head.
 */
import type { PullRequestInfo, RepoPort } from "../../model/index.js";

export async function fetchPullRequestHead(pr: PullRequestInfo, repo: RepoPort): Promise<void> {
  const { sources } = repo;
  if (!pr.source) await repo.fetchPullRequest?.(pr.number, pr.headSha);
  else if (sources)
    await Promise.all(pr.source.urls.map((url) => sources.fetchPullRequest(url, pr.number, pr.headSha)));
}
