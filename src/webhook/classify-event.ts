/**
 * What a GitHub event means for dockhand, as a pure function of the event
 * name and payload: a sync of production for a push to the tracked branch of
 * the deploy repo, and a reason to ignore everything else (the reason goes
 * back to GitHub in the 202 answer, visible under "Recent deliveries").
 */
import type { SyncJob } from "../model/jobs.js";

export interface EventContext {
  /** owner/name of the deploy repo. */
  repository: string;
  /** The tracked branch, e.g. "main". */
  branch: string;
  /** X-GitHub-Delivery, carried into the job for tracing. */
  delivery?: string;
}

export type EventDecision = { action: "sync"; job: SyncJob } | { action: "ignore"; reason: string };

const COMMIT_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const NO_COMMIT = /^0+$/;

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function classifyPush(payload: unknown, context: EventContext): EventDecision {
  const ref = field(payload, "ref");
  const after = field(payload, "after");
  const fullName = field(field(payload, "repository"), "full_name");
  if (typeof ref !== "string" || typeof after !== "string" || typeof fullName !== "string") {
    return { action: "ignore", reason: "push payload lacks ref, after or repository.full_name" };
  }
  if (fullName.toLowerCase() !== context.repository.toLowerCase()) {
    return { action: "ignore", reason: `push to ${fullName}, not the deploy repo ${context.repository}` };
  }
  const tracked = `refs/heads/${context.branch}`;
  if (ref !== tracked) return { action: "ignore", reason: `push to ${ref}, not the tracked branch ${context.branch}` };
  if (field(payload, "deleted") === true || NO_COMMIT.test(after)) {
    return { action: "ignore", reason: `push deleted the tracked branch ${context.branch}; nothing to deploy` };
  }
  if (!COMMIT_SHA.test(after))
    return { action: "ignore", reason: `push has no commit sha in "after" (got "${after}")` };
  const job: SyncJob = { trigger: "push", env: "production", sha: after };
  if (context.delivery !== undefined) job.delivery = context.delivery;
  return { action: "sync", job };
}

export function classifyEvent(name: string, payload: unknown, context: EventContext): EventDecision {
  switch (name) {
    case "ping":
      return { action: "ignore", reason: "pong" };
    case "push":
      return classifyPush(payload, context);
    case "pull_request":
      return { action: "ignore", reason: "pull requests are handled by previews (not enabled)" };
    default:
      return { action: "ignore", reason: `event ${name} is not used` };
  }
}
