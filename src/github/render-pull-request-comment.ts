/**
 * The one PR comment: what merging would change on the live hosts (the
 * planner's markdown, rendered by the worker), the preview's URLs, state and
 * expiry, and the head's config errors with file and line. No clock in it
 * beyond the expiry, so an unchanged PR gives an unchanged comment (and no
 * write).
 */
import type { PreviewReport, PullRequestReport } from "../model/index.js";
import { formatConfigIssue } from "../model/index.js";
import { COMMENT_MARKER } from "./ensure-comment.js";
import { cell, code, fitParts, GITHUB_TEXT_LIMIT, shortSha, truncate } from "./markdown.js";

const STATE_WORDS = {
  deploying: ":hourglass: deploying",
  live: ":rocket: live",
  failed: ":x: failed",
  removed: "removed",
  refused: ":no_entry: not started",
  waiting: ":hourglass: waiting",
} as const;
const APP_WORDS = { succeeded: "deployed", noop: "unchanged", failed: "failed", rolledBack: "rolled back" } as const;

export function renderPullRequestComment(report: PullRequestReport): string {
  const pr = report.pullRequest;
  const head = [COMMENT_MARKER, `### dockhand · #${pr.number} at ${code(shortSha(pr.headSha))}`, ""];
  if (pr.action === "closed")
    head.push(pr.merged ? "This pull request was merged." : "This pull request is closed.", "");
  const tail = [...previewSection(report.preview), ...errorSection(report)].join("\n");
  const planText = report.planned ? report.planned.markdown.trim() : "";
  const room = GITHUB_TEXT_LIMIT - head.join("\n").length - tail.length - 200;
  const plan = planText ? ["#### What merging changes on production", "", truncate(planText, room), ""] : [];
  return truncate([...head, ...plan, tail].join("\n").trimEnd(), GITHUB_TEXT_LIMIT).concat("\n");
}

function previewSection(preview: PreviewReport | undefined): string[] {
  if (!preview) return [];
  const lines = [`#### Preview ${code(preview.env)}: ${STATE_WORDS[preview.state]}`, ""];
  if (preview.reason) lines.push(cell(preview.reason), "");
  if (preview.apps.length > 0 && preview.state !== "removed") {
    lines.push("| app | URL | result |", "|---|---|---|");
    for (const app of preview.apps) lines.push(`| ${cell(app.app)} | ${app.url} | ${APP_WORDS[app.status]} |`);
    lines.push("");
  }
  if (preview.expiresAt !== undefined && preview.state === "live") {
    lines.push(
      `Removed at ${new Date(preview.expiresAt).toISOString()} unless the pull request gets a push first.`,
      "",
    );
  }
  return lines;
}

function errorSection(report: PullRequestReport): string[] {
  const error = report.error;
  if (!error) return [];
  const issues = error.issues ?? [];
  if (issues.length === 0)
    return ["#### dockhand could not plan this pull request", "", `> ${cell(error.message)}`, ""];
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  const list = fitParts(
    issues.map((i) => `- ${code(formatConfigIssue(i))}`),
    GITHUB_TEXT_LIMIT / 2,
    (n) => `- …and ${n} more (run \`dockhand validate\`)`,
  );
  return [
    `#### The deploy repo at this head is invalid (${count})`,
    "",
    "Merging it would apply nothing: the last good state keeps running.",
    "",
    list,
    "",
  ];
}
