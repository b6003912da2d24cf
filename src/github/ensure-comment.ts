/**
 * One comment per pull request, found by a hidden marker at its start and by
 * its author (dockhand's own login), and edited in place: never a new
 * comment per push. A body equal to what is there is not written. Anyone can
 * start a comment with the marker; without the author check dockhand would
 * take a stranger's comment for its own, edit it (an App or an admin token
 * may edit anyone's comment), or leave it as is when its text matched.
 */
import type { EnsureResult } from "./ensure-check-run.js";
import type { GitHubOctokitInstance } from "./github-client.js";
import { gitHubFailure } from "./github-errors.js";
import { splitRepository } from "./repository-name.js";

/** Starts every comment dockhand owns; a quote of it (`> <!-- dockhand -->`) does not start a comment. */
export const COMMENT_MARKER = "<!-- dockhand -->";
const PAGE_SIZE = 100;

interface Known {
  id: number;
  body: string;
}

export class CommentWriter {
  private readonly known = new Map<string, Known>();

  /** `body` must start with COMMENT_MARKER; `login` is dockhand's own (GitHubClient.ownLogin). */
  async ensure(
    octokit: GitHubOctokitInstance,
    repository: string,
    issue: number,
    body: string,
    author: { auth: "app" | "token"; login: string },
  ): Promise<EnsureResult> {
    const { auth, login } = author;
    if (!body.startsWith(COMMENT_MARKER)) throw new TypeError("a dockhand comment starts with its marker");
    const key = `${repository}#${issue}`;
    try {
      const found = this.known.get(key) ?? (await this.find(octokit, repository, issue, login));
      if (found?.body === body) {
        this.known.set(key, found);
        return "unchanged";
      }
      const params = { ...splitRepository(repository), body };
      if (found) {
        await octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
          ...params,
          comment_id: found.id,
        });
        this.known.set(key, { id: found.id, body });
        return "updated";
      }
      const { data } = await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        ...params,
        issue_number: issue,
      });
      this.known.set(key, { id: Number(data.id), body });
      return "created";
    } catch (err) {
      // Someone deleted our comment: the next report searches again.
      this.known.delete(key);
      throw gitHubFailure(err, { what: `write the comment on #${issue}`, repository, auth });
    }
  }

  private async find(
    octokit: GitHubOctokitInstance,
    repository: string,
    issue: number,
    login: string,
  ): Promise<Known | undefined> {
    // Logins are unique without regard to case.
    const own = login.toLowerCase();
    for (let page = 1; ; page++) {
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        ...splitRepository(repository),
        issue_number: issue,
        per_page: PAGE_SIZE,
        page,
      });
      const ours = data.find((c) => c.user?.login.toLowerCase() === own && c.body?.startsWith(COMMENT_MARKER));
      if (ours) return { id: Number(ours.id), body: ours.body ?? "" };
      if (data.length < PAGE_SIZE) return undefined;
    }
  }
}
