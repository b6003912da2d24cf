import { UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { type DeployOutcome, DockhandError, QUEUE_NAMES, type SyncJob } from "../model/index.js";
import { runSync, type SyncDeps } from "./run-sync.js";

export interface SyncWorkerOptions {
  connection: Redis;
  prefix: string;
  deps: SyncDeps;
  log: Logger;
  /** Called with every finished sync, for reporting. */
  onOutcome?: (job: SyncJob, outcome: DeployOutcome) => void;
}

/**
 * The consumer side of the sync queue. One sync at a time per worker process:
 * a sync already plans every app and rolls them in parallel.
 */
export function createSyncWorker(options: SyncWorkerOptions): Worker<SyncJob, DeployOutcome> {
  const { log } = options;
  const worker = new Worker<SyncJob, DeployOutcome>(
    QUEUE_NAMES.sync,
    async (job, _token, signal) => {
      const jobLog = log.child({ job: job.id, delivery: job.data.delivery });
      try {
        const outcome = await runSync(job.data, { ...options.deps, log: jobLog }, signal);
        options.onOutcome?.(job.data, outcome);
        // A config error or a failed rollout is a result, not a reason to retry:
        // the same commit would fail the same way (DESIGN.md, "Queue").
        if (outcome.status === "failed") {
          throw new UnrecoverableError(outcome.error?.message ?? "rollout failed; see the outcome");
        }
        return outcome;
      } catch (err) {
        if (err instanceof DockhandError && !err.transient) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 1 },
  );
  worker.on("error", (err) => log.error({ err: err.message }, "sync worker error"));
  worker.on("failed", (job, err) =>
    log.warn({ job: job?.id, attempts: job?.attemptsMade, err: err.message }, "sync job failed"),
  );
  worker.on("completed", (job, outcome) => log.info({ job: job.id, status: outcome.status }, "sync job completed"));
  return worker;
}
