/**
 * What a deploy did. The executor produces it; the CLI, logs, check runs and
 * the status record report it. Our own status words: src/github maps them to
 * GitHub's, nowhere else.
 */
import type { ConfigIssue, ErrorCode } from "./errors.js";
import type { StepKind } from "./plan.js";

export type AppOutcomeStatus = "succeeded" | "noop" | "failed" | "rolledBack";

export interface OutcomeError {
  code: ErrorCode;
  message: string;
  /** The failing container's last log lines, when a container failed. */
  logsTail?: string;
  /** The failing container's recent health check results, when a health gate failed. */
  healthLog?: string;
  issues?: ConfigIssue[];
}

export interface AppOutcome {
  app: string;
  env: string;
  /** `rolledBack`: a step failed and every slot went back to its old container. */
  status: AppOutcomeStatus;
  durationMs: number;
  /** `hook`: hooks.beforeDeploy, which runs before the first new container starts. */
  failedStep?: StepKind | "hook";
  error?: OutcomeError;
}

export type DeployStatus = "succeeded" | "noop" | "failed";

export interface DeployOutcome {
  sha: string;
  status: DeployStatus;
  apps: AppOutcome[];
  /** Set when the deploy repo did not validate: nothing was applied. */
  error?: OutcomeError;
  /** The plan was shown and not approved: nothing was applied. */
  declined?: boolean;
}

export function summariseOutcome(sha: string, apps: AppOutcome[]): DeployOutcome {
  const failed = apps.some((a) => a.status === "failed" || a.status === "rolledBack");
  const changed = apps.some((a) => a.status !== "noop");
  return { sha, status: failed ? "failed" : changed ? "succeeded" : "noop", apps };
}
