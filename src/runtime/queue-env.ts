/**
 * The queue's settings from the environment (issue 6). Durations as people
 * write them ("60s", "5m", "1h30m"); DOCKHAND_POLL_INTERVAL=0 turns polling off.
 */
import { readDurationVar } from "./duration-var.js";

export interface QueueEnv {
  /** DOCKHAND_POLL_INTERVAL: fetch the tracked branch (and reconcile) this often; 0: never. */
  pollIntervalMs: number;
  /** DOCKHAND_JOB_TIMEOUT: a sync running longer is cancelled. */
  jobTimeoutMs: number;
  /** DOCKHAND_LOCK_TTL: a dead worker's job and app locks are taken over after about this long. */
  lockTtlMs: number;
  /** DOCKHAND_STOP_GRACE: on SIGTERM, how long a running sync may take to finish before it is handed back. */
  stopGraceMs: number;
}

export const QUEUE_ENV_DEFAULTS = {
  DOCKHAND_POLL_INTERVAL: "60s",
  DOCKHAND_JOB_TIMEOUT: "30m",
  DOCKHAND_LOCK_TTL: "30s",
  DOCKHAND_STOP_GRACE: "20s",
} as const;

type Name = keyof typeof QUEUE_ENV_DEFAULTS;

function duration(env: NodeJS.ProcessEnv, name: Name, min: number, zeroAllowed = false): number {
  return readDurationVar(env, name, QUEUE_ENV_DEFAULTS[name], min, zeroAllowed);
}

export function readQueueEnv(env: NodeJS.ProcessEnv = process.env): QueueEnv {
  return {
    pollIntervalMs: duration(env, "DOCKHAND_POLL_INTERVAL", 1_000, true),
    jobTimeoutMs: duration(env, "DOCKHAND_JOB_TIMEOUT", 1_000),
    lockTtlMs: duration(env, "DOCKHAND_LOCK_TTL", 500),
    stopGraceMs: duration(env, "DOCKHAND_STOP_GRACE", 0, true),
  };
}
