/**
 * The queue's settings from the environment (issue 6). Durations as people
 * write them ("60s", "5m", "1h30m"); DOCKHAND_POLL_INTERVAL=0 turns polling off.
 */
import { parseDuration } from "../config/index.js";
import { DockhandError } from "../model/index.js";

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
  const text = (env[name] ?? "").trim() || QUEUE_ENV_DEFAULTS[name];
  const ms = text === "0" ? 0 : parseDuration(text);
  if (ms === undefined || (ms === 0 && !zeroAllowed) || (ms > 0 && ms < min)) {
    const zero = zeroAllowed ? ", or 0 to turn it off" : "";
    throw new DockhandError(
      "DOCKHAND_E_USAGE",
      `${name} must be a duration like "${QUEUE_ENV_DEFAULTS[name]}" of at least ${min} ms${zero}, got "${env[name]}"`,
    );
  }
  return ms;
}

export function readQueueEnv(env: NodeJS.ProcessEnv = process.env): QueueEnv {
  return {
    pollIntervalMs: duration(env, "DOCKHAND_POLL_INTERVAL", 1_000, true),
    jobTimeoutMs: duration(env, "DOCKHAND_JOB_TIMEOUT", 1_000),
    lockTtlMs: duration(env, "DOCKHAND_LOCK_TTL", 500),
    stopGraceMs: duration(env, "DOCKHAND_STOP_GRACE", 0, true),
  };
}
