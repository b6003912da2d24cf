/**
 * Job payloads on the BullMQ queues. The webhook receiver and the timers make
 * them; the worker runs them. Kept here so neither side imports the other.
 */

export const QUEUE_NAMES = { sync: "dockhand-sync" } as const;

/** Why a sync was asked for; shows up in logs and the audit trail. */
export type SyncTrigger = "push" | "startup" | "poll" | "api" | "cli";

export interface SyncJob {
  trigger: SyncTrigger;
  /** Environment to sync; `production` for the tracked branch. */
  env: string;
  /** Commit to deploy; undefined means "the head of the tracked branch, fetched now". */
  sha?: string;
  /** X-GitHub-Delivery of the webhook that asked, for tracing. */
  delivery?: string;
}
