import { describe, expect, it } from "vitest";
import { COMMENT_MARKER, renderPullRequestComment } from "../../../src/github/index.js";
import { checkConclusion, checkName, commitState, deploymentState } from "../../../src/github/status-words.js";
import { type PullRequestInfo, type PullRequestReport, WORD_JOINER } from "../../../src/model/index.js";
import { renderPlanMarkdown } from "../../../src/planner/index.js";
import { linkableOutsideCode } from "../../support/markdown-links.js";

const pr: PullRequestInfo = {
  number: 5,
  action: "synchronize",
  repository: "acme/deploy",
  headSha: "abcdef0123456789abcdef0123456789abcdef01",
  headRef: "f",
  baseRef: "main",
  fork: false,
  merged: false,
  labels: [],
};

describe("renderPullRequestComment", () => {
  it("starts with the marker and is the same text for the same report", () => {
    const report: PullRequestReport = { pullRequest: pr, at: 1 };
    const body = renderPullRequestComment(report);
    expect(body.startsWith(`${COMMENT_MARKER}\n### dockhand · #5 at \`abcdef0\``)).toBe(true);
    expect(renderPullRequestComment({ ...report, at: 999 })).toBe(body);
  });

  it.each([
    [
      "waiting",
      { state: "waiting" as const, reason: "3 previews are live" },
      "#### Preview `pr-5`: :hourglass: waiting\n\n3 previews are live",
    ],
    ["failed", { state: "failed" as const, reason: "not healthy" }, "#### Preview `pr-5`: :x: failed"],
    [
      "removed",
      { state: "removed" as const, reason: "Removed: it was closed." },
      "#### Preview `pr-5`: removed\n\nRemoved: it was closed.",
    ],
  ])("says a %s preview is so", (_name, preview, text) => {
    const body = renderPullRequestComment({ pullRequest: pr, at: 0, preview: { env: "pr-5", apps: [], ...preview } });
    expect(body).toContain(text);
  });

  it("stays under GitHub's comment limit with a huge plan", () => {
    const huge = {
      plan: { source: { repo: "r", sha: pr.headSha }, changes: [], warnings: [] },
      desired: {} as never,
      markdown: "x".repeat(200_000),
    };
    const body = renderPullRequestComment({ pullRequest: pr, at: 0, planned: huge });
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain("…(cut to fit GitHub's limit)");
  });
});

describe("input text in the PR comment links nothing outside code", () => {
  const HOSTILE = "@someone #1 acme/web#2 GH-3 https://evil.example www.evil.example <b>x</b> &#35;4\n# heading";
  /** dockhand's own marker, and its reference to the pull request it comments on. */
  const own = (found: string) => !found.includes("dockhand · #5") && !found.includes("<!-- dockhand -->");

  it.each([
    ["a planning error", { error: { code: "DOCKHAND_E_GIT" as const, message: HOSTILE } }],
    [
      "config issues",
      {
        error: {
          code: "DOCKHAND_E_CONFIG" as const,
          message: HOSTILE,
          issues: [{ file: "apps/web.yaml", line: 3, column: 2, path: "image", message: HOSTILE }],
        },
      },
    ],
    ["a preview's reason", { preview: { env: "pr-5", state: "failed" as const, apps: [], reason: HOSTILE } }],
    [
      "the plan's warnings",
      {
        planned: {
          plan: { source: { repo: "r", sha: pr.headSha }, changes: [], warnings: [HOSTILE] },
          desired: {} as never,
          markdown: renderPlanMarkdown({ source: { repo: "r", sha: pr.headSha }, changes: [], warnings: [HOSTILE] }),
        },
      },
    ],
  ] as Array<[string, Partial<PullRequestReport>]>)("%s", (_what, part) => {
    const body = renderPullRequestComment({ pullRequest: pr, at: 0, ...part });
    expect(linkableOutsideCode(body).filter(own)).toEqual([]);
    expect(body.replaceAll(WORD_JOINER, "")).toContain("@someone #1");
  });
});

describe("status words", () => {
  it.each([
    ["production", "dockhand/production"],
    ["pr-12", "dockhand/preview"],
    ["web-app-pr-3", "dockhand/preview"],
    ["staging", "dockhand/staging"],
  ])("checkName(%s) is %s", (env, name) => {
    expect(checkName(env)).toBe(name);
  });

  it.each([
    [{ status: "succeeded" }, "success", "success"],
    [{ status: "noop" }, "neutral", "success"],
    [{ status: "failed" }, "failure", "failure"],
    [{ status: "noop", declined: true }, "skipped", "success"],
  ] as const)("an outcome %j concludes %s (commit status %s)", (outcome, conclusion, state) => {
    const c = checkConclusion({ sha: "x", apps: [], ...outcome });
    expect(c).toBe(conclusion);
    expect(commitState(c)).toBe(state);
  });

  it.each([
    ["deploying", "in_progress"],
    ["live", "success"],
    ["failed", "failure"],
    ["removed", "inactive"],
    ["refused", "error"],
    ["waiting", "error"],
  ] as const)("a %s preview's deployment is %s", (state, github) => {
    expect(deploymentState(state)).toBe(github);
  });
});
