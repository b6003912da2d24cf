/**
 * One comment per pull request, found by a hidden marker at its start and
 * edited in place: never a new comment per push. A body equal to what is
 * there is not written.
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

  /** `body` must start with COMMENT_MARKER. */
  async ensure(
    octokit: GitHubOctokitInstance,
    repository: string,
    issue: number,
    body: string,
    auth: "app" | "token",
  ): Promise<EnsureResult> {
    if (!body.startsWith(COMMENT_MARKER)) throw new TypeError("a dockhand comment starts with its marker");
    const key = `${repository}#${issue}`;
    try {
      const found = this.known.get(key) ?? (await this.find(octokit, repository, issue));
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

  private async find(octokit: GitHubOctokitInstance, repository: string, issue: number): Promise<Known | undefined> {
    for (let page = 1; ; page++) {
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        ...splitRepository(repository),
        issue_number: issue,
        per_page: PAGE_SIZE,
        page,
      });
      const ours = data.find((c) => c.body?.startsWith(COMMENT_MARKER));
      if (ours) return { id: Number(ours.id), body: ours.body ?? "" };
      if (data.length < PAGE_SIZE) return undefined;
    }
  }
}
