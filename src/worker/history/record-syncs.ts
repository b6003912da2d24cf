/**
 * Records the syncs of one BullMQ sync worker into the deploy history: the
 * worker's `active` event begins a run, the sync's approve and onStep hooks
 * feed it, and onOutcome (or a `failed` job that never produced an outcome)
 * ends it. A worker runs one sync at a time (sync-worker.ts), so one run is
 * open at a time; an end that names another job's payload is ignored.
 */
import type { DeployActor, DeployOutcome, Plan, SyncJob } from "../../model/index.js";
import type { StepEvent } from "../rollout/rollout-context.js";
import type { DeployHistory } from "./deploy-history.js";
import type { DeployRun } from "./deploy-run.js";

export interface SyncRecorder {
  /** For the worker's `active` event. */
  onActive(job: SyncJob): void;
  /** SyncDeps.approve: records the plan, never declines it. */
  approve(plan: Plan): Promise<boolean>;
  /** SyncDeps.onStep. */
  onStep(event: StepEvent): void;
  /** SyncWorkerOptions.onOutcome. */
  onOutcome(job: SyncJob, outcome: DeployOutcome): void;
  /** For the worker's `failed` event: a sync that threw before it had an outcome. */
  onFailed(job: SyncJob | undefined, err: Error): void;
  /** Resolves when every finished run is written (before closing the connection). */
  settled(): Promise<void>;
}

export function actorOf(job: SyncJob): DeployActor {
  return { trigger: job.trigger, ...(job.delivery ? { delivery: job.delivery } : {}) };
}

export function recordSyncs(history: DeployHistory): SyncRecorder {
  let open: { job: SyncJob; run: DeployRun } | undefined;
  const writing = new Set<Promise<unknown>>();
  const close = (job: SyncJob | undefined, finish: (run: DeployRun) => Promise<unknown>) => {
    if (!open || (job !== undefined && open.job !== job && !sameJob(open.job, job))) return;
    const { run } = open;
    open = undefined;
    const write = finish(run).finally(() => writing.delete(write));
    writing.add(write);
  };
  return {
    onActive(job) {
      // A run left open (its worker lost the job's lock) is closed as failed rather than left "running".
      if (open) close(undefined, (run) => run.failed(new Error("the sync was interrupted")));
      const run = history.begin({ env: job.env, actor: actorOf(job), ...(job.sha ? { sha: job.sha } : {}) });
      open = { job, run };
    },
    async approve(plan) {
      open?.run.planned(plan);
      return true;
    },
    onStep(event) {
      open?.run.step(event);
    },
    onOutcome(job, outcome) {
      close(job, (run) => run.finish(outcome));
    },
    onFailed(job, err) {
      close(job, (run) => run.failed(err));
    },
    async settled() {
      await Promise.all([...writing]);
    },
  };
}

/** BullMQ hands the event listeners a fresh Job object, so the payloads are compared. */
function sameJob(a: SyncJob, b: SyncJob): boolean {
  return a.env === b.env && a.trigger === b.trigger && a.sha === b.sha && a.delivery === b.delivery;
}
