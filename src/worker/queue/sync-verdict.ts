/**
 * What a sync job amounts to, before and after it runs (issue 6): whether it
 * can be skipped (an earlier sync already covered it, or its commit is older
 * than the applied one) and whether a failed outcome is worth a retry.
 */
import { UnrecoverableError } from "bullmq";
import type { DeployOutcome, ErrorCode, RepoPort } from "../../model/index.js";
import type { AppliedCommit } from "./applied-state.js";
import type { QueuedSync } from "./sync-queue.js";

/** Failures that may pass by themselves (an engine that was down): retried with backoff. */
export const TRANSIENT_OUTCOME_CODES: ReadonlySet<ErrorCode> = new Set(["DOCKHAND_E_HOST_UNREACHABLE"]);

export interface SkipContext {
  repo: Pick<RepoPort, "isAncestor" | "head">;
  applied: AppliedCommit | undefined;
  /** Highest request number whose sync finished (succeeded or found nothing to do). */
  doneSeq: number;
}

export interface Skip {
  reason: string;
  outcome: DeployOutcome;
}

export async function skipReason(request: QueuedSync, context: SkipContext): Promise<Skip | undefined> {
  const sha = request.sha ?? context.applied?.sha ?? "";
  const noop: DeployOutcome = { sha, status: "noop", apps: [] };
  if (request.seq !== undefined && request.seq <= context.doneSeq) {
    return { reason: `request ${request.seq} was covered by a sync that already finished`, outcome: noop };
  }
  // A pull request's commits are not on the tracked branch, whose head the rule below needs.
  const older = request.trigger === "pull_request" ? undefined : await isOlder(request.sha, context);
  if (older) return { reason: older, outcome: noop };
  return undefined;
}

/**
 * Which request a job runs: its own, or the environment's newest when that
 * came later. A promotion is never superseded by a later request that is not
 * one: for an environment with `promote`, such a request only re-converges
 * the commit it runs (src/worker/sync/environment-gate.ts), and running it
 * instead would lose the promotion until the next commit.
 */
export function requestToRun(own: QueuedSync, wanted: QueuedSync | undefined): QueuedSync {
  if (wanted?.seq === undefined || own.seq === undefined || wanted.seq <= own.seq) return own;
  if (own.trigger === "promote" && wanted.trigger !== "promote") return own;
  return wanted;
}

/**
 * Why `sha` must not be applied: it is an ancestor of the applied commit and
 * not the branch's head (a late webhook). The head itself always applies, so
 * a branch reset to an older commit on purpose still deploys.
 */
async function isOlder(sha: string | undefined, context: SkipContext): Promise<string | undefined> {
  const applied = context.applied?.sha;
  const { repo } = context;
  if (sha === undefined || applied === undefined || sha === applied || !repo.isAncestor) return undefined;
  try {
    if (!(await repo.isAncestor(sha, applied))) return undefined;
    if (repo.head && (await repo.head()) === sha) return undefined;
  } catch {
    // Unknown commits and unreadable history are the sync's to report.
    return undefined;
  }
  return `commit ${sha.slice(0, 12)} is older than the applied ${applied.slice(0, 12)}`;
}

/** The error a finished sync ends its job with, or undefined when it succeeded. */
export function failureOf(
  outcome: DeployOutcome,
  cancel: AbortSignal | undefined,
  timeout: AbortSignal,
  timeoutMs: number,
): Error | undefined {
  if (cancel?.aborted) return new UnrecoverableError(`sync cancelled: ${reasonText(cancel.reason)}`);
  if (timeout.aborted) return new UnrecoverableError(`sync timed out after ${timeoutMs} ms`);
  if (outcome.status !== "failed") return undefined;
  const message = outcome.error?.message ?? failedApps(outcome);
  if (isTransient(outcome)) return new Error(`${message} (will retry)`);
  // A config error or a failed health gate fails the same way at the same commit (docs/operations.md).
  return new UnrecoverableError(message);
}

function isTransient(outcome: DeployOutcome): boolean {
  if (outcome.error) return false;
  const failed = outcome.apps.filter((a) => a.status === "failed" || a.status === "rolledBack");
  return failed.length > 0 && failed.every((a) => a.error !== undefined && TRANSIENT_OUTCOME_CODES.has(a.error.code));
}

function failedApps(outcome: DeployOutcome): string {
  const failed = outcome.apps.filter((a) => a.status === "failed" || a.status === "rolledBack");
  const parts = failed.map((a) => `${a.app}: ${a.error?.message.split("\n")[0] ?? a.status}`);
  return parts.length > 0 ? `rollout failed (${parts.join("; ")})` : "rollout failed";
}

function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return typeof reason === "string" ? reason : "cancelled";
}
