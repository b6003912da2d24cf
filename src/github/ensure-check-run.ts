/**
 * Idempotent writes of check runs: one run per name and commit, created once
 * and updated in place; a write that would change nothing is skipped, from
 * memory when this process wrote it last, else after one read.
 */
import { createHash } from "node:crypto";
import type { GitHubOctokitInstance } from "./github-client.js";
import { gitHubFailure } from "./github-errors.js";
import type { CheckOutput } from "./render-check-output.js";
import { splitRepository as split } from "./repository-name.js";
import type { CheckConclusion, CheckStatus } from "./status-words.js";

export type EnsureResult = "created" | "updated" | "unchanged";

export interface CheckRunState {
  name: string;
  headSha: string;
  status: CheckStatus;
  /** Required when status is `completed`. */
  conclusion?: CheckConclusion;
  output: CheckOutput;
  detailsUrl?: string;
}

export interface EnsureCheckOptions {
  /** Write only when no run of this name exists on the commit yet. */
  onlyIfAbsent?: boolean;
  /** Leave a completed run alone (a re-sync of a commit that changed nothing). */
  keepCompleted?: boolean;
}

interface KnownRun {
  id: number;
  digest: string;
  completed: boolean;
}

interface RunFields {
  status: string;
  conclusion?: string | null;
  title?: string | null;
  summary?: string | null;
  text?: string | null;
}

function digestOf(f: RunFields): string {
  const fields = [f.status, f.conclusion ?? "", f.title ?? "", f.summary ?? "", f.text ?? ""];
  return createHash("sha256").update(JSON.stringify(fields)).digest("hex");
}

export class CheckRunWriter {
  private readonly known = new Map<string, KnownRun>();

  constructor(private readonly now: () => number = Date.now) {}

  async ensure(
    octokit: GitHubOctokitInstance,
    repository: string,
    state: CheckRunState,
    options: EnsureCheckOptions = {},
  ): Promise<EnsureResult> {
    const key = `${repository}#${state.headSha}#${state.name}`;
    const what = `write the check run ${state.name}`;
    try {
      const existing = this.known.get(key) ?? (await this.find(octokit, repository, state));
      const digest = digestOf({ status: state.status, conclusion: state.conclusion, ...state.output });
      if (!existing) {
        const id = await this.create(octokit, repository, state);
        this.known.set(key, { id, digest, completed: state.status === "completed" });
        return "created";
      }
      this.known.set(key, existing);
      if (options.onlyIfAbsent || (options.keepCompleted && existing.completed) || existing.digest === digest) {
        return "unchanged";
      }
      await this.update(octokit, repository, existing.id, state);
      this.known.set(key, { id: existing.id, digest, completed: state.status === "completed" });
      return "updated";
    } catch (err) {
      throw gitHubFailure(err, { what, repository, auth: "app" });
    }
  }

  private async find(
    octokit: GitHubOctokitInstance,
    repository: string,
    state: CheckRunState,
  ): Promise<KnownRun | undefined> {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
      ...split(repository),
      ref: state.headSha,
      check_name: state.name,
      filter: "latest",
      per_page: 1,
    });
    const run = data.check_runs[0];
    if (!run) return undefined;
    const digest = digestOf({ status: run.status, conclusion: run.conclusion, ...run.output });
    return { id: Number(run.id), digest, completed: run.status === "completed" };
  }

  private timestamp(): string {
    return new Date(this.now()).toISOString();
  }

  private body(state: CheckRunState) {
    const { annotations, ...output } = state.output;
    return {
      ...(state.status === "completed"
        ? { status: "completed" as const, conclusion: state.conclusion ?? "neutral", completed_at: this.timestamp() }
        : { status: state.status }),
      output: { ...output, ...(annotations.length > 0 ? { annotations } : {}) },
      ...(state.detailsUrl ? { details_url: state.detailsUrl } : {}),
    };
  }

  private async create(octokit: GitHubOctokitInstance, repository: string, state: CheckRunState): Promise<number> {
    const { data } = await octokit.request("POST /repos/{owner}/{repo}/check-runs", {
      ...split(repository),
      name: state.name,
      head_sha: state.headSha,
      started_at: this.timestamp(),
      ...this.body(state),
    });
    return Number(data.id);
  }

  private async update(octokit: GitHubOctokitInstance, repository: string, id: number, state: CheckRunState) {
    await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      ...split(repository),
      check_run_id: id,
      ...this.body(state),
    });
  }
}
