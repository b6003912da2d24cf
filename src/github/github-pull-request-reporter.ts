/**
 * PullRequestReporter over GitHub: the one living PR comment, a `dockhand/plan`
 * check (or status) on the PR's head that fails when its config does not
 * validate, a Deployment for the preview with its URL, and a label taken off
 * when the worker asks (`removeLabel`).
 */
import type { Logger } from "pino";
import {
  type PreviewReport,
  type PullRequestReport,
  type PullRequestReporter,
  planHasChanges,
} from "../model/index.js";
import { CheckRunWriter } from "./ensure-check-run.js";
import { CommentWriter } from "./ensure-comment.js";
import { CommitStatusWriter } from "./ensure-commit-status.js";
import { deactivateDeployments, ensureDeployment } from "./ensure-deployment.js";
import type { GitHubClient, GitHubOctokitInstance } from "./github-client.js";
import { fenced, GITHUB_TEXT_LIMIT, truncate } from "./markdown.js";
import { removeLabel } from "./remove-label.js";
import { type CheckOutput, configErrorOutput } from "./render-check-output.js";
import { renderPullRequestComment } from "./render-pull-request-comment.js";
import { type CheckConclusion, commitState, deploymentState, PLAN_CHECK_NAME } from "./status-words.js";

export interface GitHubPullRequestReporterOptions {
  client: GitHubClient;
  log: Logger;
  now?: () => number;
}

export class GitHubPullRequestReporter implements PullRequestReporter {
  private readonly comments = new CommentWriter();
  private readonly checks: CheckRunWriter;
  private readonly statuses = new CommitStatusWriter();

  constructor(private readonly options: GitHubPullRequestReporterOptions) {
    this.checks = new CheckRunWriter(options.now);
  }

  async report(report: PullRequestReport, installationId?: number): Promise<void> {
    const { client } = this.options;
    const pr = report.pullRequest;
    const octokit = await client.forRepo(pr.repository, installationId);
    // First, and whatever fails after it: the label may be what stands between a fork's new head and a preview.
    const label =
      report.removeLabel === undefined
        ? "none"
        : await removeLabel(octokit, pr.repository, pr.number, report.removeLabel, client.mode);
    const author = { auth: client.mode, login: await client.ownLogin(pr.repository) };
    const body = renderPullRequestComment(report);
    const comment = await this.comments.ensure(octokit, pr.repository, pr.number, body, author);
    const open = pr.action !== "closed" && pr.action !== "expired";
    if (open) await this.planCheck(octokit, report);
    const deployment = await this.deployment(octokit, report);
    this.options.log.debug({ pr: pr.number, label, comment, deployment }, "github pull request report");
  }

  private async planCheck(octokit: GitHubOctokitInstance, report: PullRequestReport): Promise<void> {
    const pr = report.pullRequest;
    const { conclusion, output } = planCheckOutput(report);
    if (this.options.client.mode === "app") {
      const state = { name: PLAN_CHECK_NAME, headSha: pr.headSha, status: "completed" as const, conclusion, output };
      await this.checks.ensure(octokit, pr.repository, state);
      return;
    }
    const status = {
      sha: pr.headSha,
      context: PLAN_CHECK_NAME,
      state: commitState(conclusion),
      description: output.title,
    };
    await this.statuses.ensure(octokit, pr.repository, status);
  }

  private async deployment(octokit: GitHubOctokitInstance, report: PullRequestReport): Promise<string> {
    const { preview, pullRequest: pr } = report;
    const mode = this.options.client.mode;
    if (!preview) return "none";
    if (preview.state === "removed") {
      return `${await deactivateDeployments(octokit, pr.repository, preview.env, mode)} deactivated`;
    }
    if (preview.state === "refused" || preview.state === "waiting") return "none";
    return ensureDeployment(
      octokit,
      pr.repository,
      {
        environment: preview.env,
        sha: pr.headSha,
        state: deploymentState(preview.state),
        environmentUrl: preview.apps[0]?.url,
        description: describePreview(preview, pr.number),
      },
      mode,
    );
  }
}

function planCheckOutput(report: PullRequestReport): { conclusion: CheckConclusion; output: CheckOutput } {
  const issues = report.error?.issues ?? [];
  if (report.error && issues.length > 0) {
    return { conclusion: "failure", output: configErrorOutput(report.pullRequest.headSha, issues) };
  }
  if (report.error) {
    // The message can quote the PR head (a branch, a file's text): in a code block it shows as is and links nothing.
    const summary = truncate(fenced(report.error.message), GITHUB_TEXT_LIMIT);
    return { conclusion: "failure", output: { title: "Cannot plan", summary, annotations: [] } };
  }
  const changes = report.planned ? planHasChanges(report.planned.plan) : false;
  const title = changes ? "Merging changes production" : "Merging changes nothing on production";
  return {
    conclusion: changes ? "success" : "neutral",
    output: {
      title,
      summary: report.planned ? truncate(report.planned.markdown, GITHUB_TEXT_LIMIT) : title,
      annotations: [],
    },
  };
}

function describePreview(preview: PreviewReport, number: number): string {
  if (preview.state === "deploying") return `deploying the preview of #${number}`;
  if (preview.state === "live") return `preview of #${number}`;
  return preview.reason ?? "the preview failed";
}
