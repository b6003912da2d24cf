/**
 * Our status words (DeployOutcome, PreviewState) mapped to GitHub's: check
 * run status and conclusion, commit status state, deployment status state.
 * Only here (STYLE.md, Renovate): the rest of dockhand never speaks GitHub.
 */
import type { DeployOutcome, PreviewState } from "../model/index.js";

export type CheckStatus = "queued" | "in_progress" | "completed";
export type CheckConclusion = "success" | "failure" | "neutral" | "skipped";
export type CommitState = "pending" | "success" | "failure" | "error";
export type DeploymentState = "success" | "failure" | "inactive" | "in_progress" | "error";

/** `dockhand/production`, `dockhand/preview` for every `pr-<n>`, else `dockhand/<env>`. */
export function checkName(env: string): string {
  // `pr-<n>`, or `<repo>-pr-<n>` for a pull request on an app's source repository (preview-desired.ts).
  return /(^|-)pr-\d+$/.test(env) ? "dockhand/preview" : `dockhand/${env}`;
}

/** The plan of a PR (what merging would do) has a check of its own, on the PR's head. */
export const PLAN_CHECK_NAME = "dockhand/plan";

export function checkConclusion(outcome: DeployOutcome): CheckConclusion {
  if (outcome.declined) return "skipped";
  switch (outcome.status) {
    case "succeeded":
      return "success";
    case "noop":
      return "neutral";
    case "failed":
      return "failure";
  }
}

/** A commit status has no neutral: nothing to do is a success. */
export function commitState(conclusion: CheckConclusion | undefined): CommitState {
  if (conclusion === undefined) return "pending";
  return conclusion === "failure" ? "failure" : "success";
}

export function deploymentState(state: PreviewState): DeploymentState {
  switch (state) {
    case "deploying":
      return "in_progress";
    case "live":
      return "success";
    case "failed":
      return "failure";
    case "removed":
      return "inactive";
    case "refused":
    case "waiting":
      return "error";
  }
}
