/**
 * The polling fallback (issue 6): with no webhook, or a missed one, the
 * tracked branch is fetched every DOCKHAND_POLL_INTERVAL and a sync is queued
 * at its head. The same sync heals drift when the head is what is applied
 * (a container that died, a route lost): a periodic reconcile.
 *
 * The timer is a BullMQ job scheduler on its own queue, so however many
 * dockhand processes share the Redis, each tick runs once, on one of them.
 */
import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { RepoPort } from "../../model/index.js";
import type { AppliedState } from "./applied-state.js";
import type { EnqueueResult } from "./sync-queue.js";

export const POLL_QUEUE = "dockhand-poll";
export const POLL_DEFAULTS = { intervalMs: 60_000 } as const;

export interface PollJob {
  env: string;
}

export interface BranchPollerOptions {
  connection: Redis;
  prefix: string;
  repo: Pick<RepoPort, "head">;
  applied: Pick<AppliedState, "get">;
  enqueue: (job: { trigger: "poll"; env: string; sha?: string }) => Promise<EnqueueResult>;
  log: Logger;
  /** Environment the tracked branch deploys. Default production. */
  env?: string;
}

export interface PollResult {
  head?: string;
  applied?: string;
  /** `changed`: the branch moved on; `reconcile`: it did not, drift is healed. */
  kind: "changed" | "reconcile";
  jobId: string;
}

export class BranchPoller {
  private readonly queue: Queue<PollJob>;
  private worker: Worker<PollJob, PollResult> | undefined;
  private readonly env: string;

  constructor(private readonly options: BranchPollerOptions) {
    this.env = options.env ?? "production";
    this.queue = new Queue<PollJob>(POLL_QUEUE, {
      connection: options.connection,
      prefix: options.prefix,
      defaultJobOptions: { removeOnComplete: 100, removeOnFail: 100 },
    });
  }

  private get schedulerId(): string {
    return `poll-${this.env}`;
  }

  /**
   * Sets the shared schedule (0 removes it: polling off) and, with `consume`,
   * takes part in running its ticks.
   */
  async start(intervalMs: number, consume = true): Promise<void> {
    if (intervalMs > 0) {
      await this.queue.upsertJobScheduler(
        this.schedulerId,
        { every: intervalMs },
        { name: "poll", data: { env: this.env } },
      );
    } else {
      await this.queue.removeJobScheduler(this.schedulerId);
    }
    if (!consume || this.worker) return;
    this.worker = new Worker<PollJob, PollResult>(POLL_QUEUE, (job) => this.poll(job.data.env), {
      connection: this.options.connection,
      prefix: this.options.prefix,
      concurrency: 1,
    });
    this.worker.on("error", (err) => this.options.log.error({ err: err.message }, "poll worker error"));
    this.worker.on("failed", (_job, err) => this.options.log.warn({ err: err.message }, "poll failed"));
  }

  /** One tick: fetch, compare with what is applied, queue a sync either way (it is a no-op when nothing drifted). */
  async poll(env: string = this.env): Promise<PollResult> {
    const head = this.options.repo.head ? await this.options.repo.head() : undefined;
    const applied = (await this.options.applied.get(env))?.sha;
    const kind = head !== undefined && head === applied ? "reconcile" : "changed";
    const { jobId } = await this.options.enqueue({ trigger: "poll", env, ...(head ? { sha: head } : {}) });
    this.options.log.info({ env, head, applied, kind, job: jobId }, "poll: sync queued");
    return { head, applied, kind, jobId };
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
