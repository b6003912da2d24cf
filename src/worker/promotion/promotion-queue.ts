/**
 * The producer side of promotions (issue 15): a delayed BullMQ job per
 * (environment, commit), due when the source environment will have run the
 * commit for `after`. Delayed jobs live in Redis, so a restart of dockhand
 * during the wait resumes it; the same commit scheduled twice (a poll that
 * re-syncs staging) is one job.
 */
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { type PromotionJob, QUEUE_NAMES } from "../../model/index.js";
import type { PromotionScheduler } from "../sync/promotions.js";

export const PROMOTION_DEFAULTS = {
  /** Finished promotion jobs are kept this long: the same commit is not scheduled again meanwhile. */
  keepSeconds: 7 * 24 * 60 * 60,
} as const;

export function promotionJobId(job: Pick<PromotionJob, "env" | "sha">): string {
  return `promote-${job.env}-${job.sha}`;
}

export class PromotionQueue implements PromotionScheduler {
  readonly queue: Queue<PromotionJob>;
  private readonly candidates: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.candidates = `${prefix}:${QUEUE_NAMES.promote}-candidates`;
    this.queue = new Queue<PromotionJob>(QUEUE_NAMES.promote, {
      connection: redis,
      prefix,
      defaultJobOptions: {
        removeOnComplete: { age: PROMOTION_DEFAULTS.keepSeconds },
        removeOnFail: { age: PROMOTION_DEFAULTS.keepSeconds },
      },
    });
  }

  async schedule(job: PromotionJob): Promise<void> {
    await this.offer(job);
    await this.queue.add("promote", job, { jobId: promotionJobId(job), delay: job.afterMs });
  }

  /** Remembers the newest commit `job.env` could be promoted to, with its source commits, for a manual promotion. */
  async offer(job: PromotionJob): Promise<void> {
    await this.redis.hset(this.candidates, job.env, JSON.stringify(job));
  }

  async candidate(env: string): Promise<PromotionJob | undefined> {
    const text = await this.redis.hget(this.candidates, env);
    return text ? (JSON.parse(text) as PromotionJob) : undefined;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
