/**
 * DeployReporter over GitHub: one check run per environment on the synced
 * commit (queued ─▶ in_progress with the plan ─▶ completed), or commit
 * statuses when dockhand has a token and no App. A re-sync of a commit that
 * changes nothing (the periodic sync) writes nothing: the run already says
 * how that commit went.
 */
import type { Logger } from "pino";
import {
  type DeployReporter,
  type FinishedSync,
  type PlannedSync,
  planHasChanges,
  type SyncReportContext,
} from "../model/index.js";
import { CheckRunWriter, type EnsureCheckOptions } from "./ensure-check-run.js";
import { CommitStatusWriter } from "./ensure-commit-status.js";
import type { GitHubClient } from "./github-client.js";
import { type CheckOutputInput, renderCheckOutput } from "./render-check-output.js";
import { type CheckConclusion, type CheckStatus, checkConclusion, checkName, commitState } from "./status-words.js";

export interface GitHubReporterOptions {
  client: GitHubClient;
  /** `owner/name` of the deploy repo. */
  repository: string;
  log: Logger;
  /** Scheme of hostname links. Default https. */
  scheme?: "http" | "https";
  /** A page with more (the dashboard), linked from checks and statuses. */
  detailsUrl?: string;
  now?: () => number;
}

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export class GitHubDeployReporter implements DeployReporter {
  private readonly checks: CheckRunWriter;
  private readonly statuses = new CommitStatusWriter();

  constructor(private readonly options: GitHubReporterOptions) {
    this.checks = new CheckRunWriter(options.now);
  }

  async started(ctx: SyncReportContext): Promise<void> {
    await this.write(
      ctx,
      "queued",
      undefined,
      { env: ctx.env, sha: ctx.sha, phase: "started" },
      { onlyIfAbsent: true },
    );
  }

  async planned(ctx: SyncReportContext, planned: PlannedSync): Promise<void> {
    const input: CheckOutputInput = {
      env: ctx.env,
      sha: ctx.sha,
      phase: "planned",
      planned,
      scheme: this.options.scheme,
    };
    await this.write(ctx, "in_progress", undefined, input, { keepCompleted: !planHasChanges(planned.plan) });
  }

  async finished(ctx: SyncReportContext, finished: FinishedSync): Promise<void> {
    const { outcome, planned } = finished;
    const input: CheckOutputInput = {
      env: ctx.env,
      sha: ctx.sha,
      phase: "finished",
      planned,
      outcome,
      scheme: this.options.scheme,
    };
    const quiet = outcome.status === "noop" && !outcome.declined;
    await this.write(ctx, "completed", checkConclusion(outcome), input, { keepCompleted: quiet });
  }

  private async write(
    ctx: SyncReportContext,
    status: CheckStatus,
    conclusion: CheckConclusion | undefined,
    input: CheckOutputInput,
    options: EnsureCheckOptions,
  ): Promise<void> {
    // A working directory has no commit to hang a check on.
    if (!FULL_SHA.test(ctx.sha)) return;
    const { client, repository } = this.options;
    const octokit = await client.forRepo(repository, ctx.installationId);
    const output = renderCheckOutput(input);
    const name = checkName(ctx.env);
    const result =
      client.mode === "app"
        ? await this.checks.ensure(
            octokit,
            repository,
            { name, headSha: ctx.sha, status, conclusion, output, detailsUrl: this.options.detailsUrl },
            options,
          )
        : await this.statuses.ensure(
            octokit,
            repository,
            {
              sha: ctx.sha,
              context: name,
              state: commitState(conclusion),
              description: output.title,
              targetUrl: this.options.detailsUrl,
            },
            { onlyIfAbsent: options.onlyIfAbsent, keepFinal: options.keepCompleted },
          );
    this.options.log.debug({ check: name, sha: ctx.sha.slice(0, 12), status, conclusion, result }, "github check");
  }
}
