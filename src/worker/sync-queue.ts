import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { QUEUE_NAMES, type SyncJob } from "../model/index.js";

/** Finished jobs are kept this long so a redelivered webhook is still recognised. */
export const DEDUPE_WINDOW_SECONDS = 24 * 60 * 60;

export type EnqueueResult = "queued" | "duplicate";

/** The producer side of the sync queue: the webhook receiver, timers and the API enqueue here. */
export class SyncQueue {
  readonly queue: Queue<SyncJob>;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue<SyncJob>(QUEUE_NAMES.sync, {
      connection,
      prefix,
      defaultJobOptions: {
        attempts: 5,
        backoff: { type: "exponential", delay: 2_000 },
        removeOnComplete: { age: DEDUPE_WINDOW_SECONDS },
        removeOnFail: { age: DEDUPE_WINDOW_SECONDS },
      },
    });
  }

  /** `jobId` identifies the request (e.g. `push-<delivery>`): the same id twice runs once. */
  async enqueue(job: SyncJob, jobId: string): Promise<EnqueueResult> {
    if (await this.queue.getJob(jobId)) return "duplicate";
    await this.queue.add("sync", job, { jobId });
    return "queued";
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
