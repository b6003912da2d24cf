/**
 * What the deploy history (src/worker/history/deploy-history.ts) keeps in Redis and
 * the dashboard, `/metrics` and `dockhand status` read back: recent syncs with
 * their outcome, the sync running now, and each app's last outcome.
 */
import type { SyncTrigger } from "./jobs.js";
import type { AppOutcomeStatus, DeployOutcome, DeployStatus, OutcomeError } from "./outcome.js";

/** Who asked for a sync: a webhook delivery, the CLI, a timer, start-up, the API. */
export interface DeployActor {
  trigger: SyncTrigger;
  /** X-GitHub-Delivery, for a push. */
  delivery?: string;
  /** The machine user of a CLI run (`root@host`), when known. */
  user?: string;
}

/** One step as the executor reported it. */
export interface DeployStepRecord {
  app: string;
  env: string;
  step: string;
  phase: "start" | "done" | "failed";
  /** Epoch ms when this phase was reached. */
  at: number;
  durationMs?: number;
}

/** A sync that is running now (steps so far). */
export interface CurrentDeploy {
  id: string;
  env: string;
  /** Unknown until the repo was read (a push without a sha, a timer). */
  sha?: string;
  actor: DeployActor;
  startedAt: number;
  /** Refreshed on every step; a crashed worker's entry goes stale and is dropped. */
  updatedAt: number;
  /** Apps the plan changes, once planned. */
  changing?: string[];
  steps: DeployStepRecord[];
}

/** A finished sync. */
export interface DeployRecord {
  id: string;
  env: string;
  sha: string;
  actor: DeployActor;
  startedAt: number;
  finishedAt: number;
  durationMs: number;
  status: DeployStatus;
  outcome: DeployOutcome;
}

/** The last rollout of one app, kept until the next one (`env/app` ─▶ this). */
export interface AppLastOutcome {
  app: string;
  env: string;
  sha: string;
  status: AppOutcomeStatus;
  finishedAt: number;
  durationMs: number;
  failedStep?: string;
  error?: string;
  logsTail?: string;
}

/** Totals since the history began (they survive restarts: Redis keeps them). */
export interface DeployStats {
  /** Finished app rollouts by outcome (noops are not counted). */
  deploys: Array<{ app: string; env: string; outcome: AppOutcomeStatus; count: number }>;
  /** Duration histogram of app rollouts, in seconds, cumulative like Prometheus's. */
  durations: Array<{
    app: string;
    env: string;
    /** Upper bounds (seconds) ─▶ count of rollouts at most that long; ends with +Inf. */
    buckets: Array<{ le: number; count: number }>;
    sum: number;
    count: number;
  }>;
}

/** The last sync of an environment, whatever it did (noops included): when, at which commit, and its problems. */
export interface SyncRecord {
  env: string;
  sha: string;
  status: DeployStatus;
  finishedAt: number;
  /** A config that did not validate (with its issues), or why the sync failed. */
  error?: OutcomeError;
}

/** One applied plan: who asked, what (the plan as docs/plan-json.md), and the result. */
export interface AuditRecord {
  id: string;
  at: number;
  env: string;
  sha: string;
  actor: DeployActor;
  /** The plan in the shape of `dockhand plan --json`. */
  plan: unknown;
  status: DeployStatus;
  outcome: DeployOutcome;
}
