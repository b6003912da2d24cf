/**
 * Commit statuses, for a token without an App (check runs need one): the
 * newest status of a context is what GitHub shows, so a status equal to it
 * is not written again.
 */
import type { EnsureResult } from "./ensure-check-run.js";
import type { GitHubOctokitInstance } from "./github-client.js";
import { gitHubFailure } from "./github-errors.js";
import { splitRepository } from "./repository-name.js";
import type { CommitState } from "./status-words.js";

/** GitHub's limit for a status description. */
export const STATUS_DESCRIPTION_LIMIT = 140;

export interface CommitStatusState {
  sha: string;
  context: string;
  state: CommitState;
  description: string;
  targetUrl?: string;
}

export interface EnsureStatusOptions {
  /** Write only when the context has no status on the commit yet. */
  onlyIfAbsent?: boolean;
  /** Leave a final (not pending) status alone. */
  keepFinal?: boolean;
}

interface Shown {
  state: string;
  description: string | null;
  targetUrl: string | null;
}

/** `text` cut to GitHub's limit for a status (or deployment) description. */
export function clipDescription(text: string): string {
  return text.length <= STATUS_DESCRIPTION_LIMIT ? text : `${text.slice(0, STATUS_DESCRIPTION_LIMIT - 1)}…`;
}

export class CommitStatusWriter {
  private readonly known = new Map<string, Shown>();

  async ensure(
    octokit: GitHubOctokitInstance,
    repository: string,
    status: CommitStatusState,
    options: EnsureStatusOptions = {},
  ): Promise<EnsureResult> {
    const key = `${repository}#${status.sha}#${status.context}`;
    const wanted: Shown = {
      state: status.state,
      description: clipDescription(status.description),
      targetUrl: status.targetUrl ?? null,
    };
    try {
      const shown = this.known.get(key) ?? (await this.find(octokit, repository, status));
      if (shown) {
        const same = JSON.stringify(shown) === JSON.stringify(wanted);
        if (same || options.onlyIfAbsent || (options.keepFinal && shown.state !== "pending")) {
          this.known.set(key, shown);
          return "unchanged";
        }
      }
      await octokit.request("POST /repos/{owner}/{repo}/statuses/{sha}", {
        ...splitRepository(repository),
        sha: status.sha,
        state: status.state,
        context: status.context,
        description: wanted.description ?? "",
        ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
      });
      this.known.set(key, wanted);
      return shown ? "updated" : "created";
    } catch (err) {
      throw gitHubFailure(err, { what: `set the commit status ${status.context}`, repository, auth: "token" });
    }
  }

  private async find(
    octokit: GitHubOctokitInstance,
    repository: string,
    status: CommitStatusState,
  ): Promise<Shown | undefined> {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/statuses", {
      ...splitRepository(repository),
      ref: status.sha,
      per_page: 100,
    });
    // Newest first: the first of a context is the one GitHub shows.
    const found = data.find((s) => s.context === status.context);
    return found ? { state: found.state, description: found.description, targetUrl: found.target_url } : undefined;
  }
}
