/**
 * The producer side of the sync queue (docs/operations.md; issue 6). The
 * webhook receiver, the poller and the API enqueue here.
 *
 * - A redelivered request (the same X-GitHub-Delivery) is recognised with one
 *   atomic SET NX, so two deliveries racing each other still run once.
 * - Per environment there is at most one running and one pending sync job:
 *   BullMQ deduplication with `keepLastIfActive` (a request that arrives while
 *   the env's job runs becomes its one follow-up; while a job waits, later
 *   requests join it).
 * - The newest request wins: every request is numbered and stored as the
 *   env's "wanted" sync, and a job runs the wanted one when it is newer than
 *   its own payload, so a request that joined a waiting job is not lost.
 */
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { QUEUE_NAMES, type SyncJob } from "../../model/index.js";

export const SYNC_QUEUE_DEFAULTS = {
  /** Requests (deliveries) are remembered this long, so a redelivery is still recognised. */
  dedupeWindowSeconds: 24 * 60 * 60,
  /** A sync still running after this long is cancelled (its rollouts roll back). */
  jobTimeoutMs: 30 * 60_000,
  /** Transient failures (engine unreachable, git fetch) are tried this often in all, backing off exponentially. */
  attempts: 5,
  backoffMs: 2_000,
} as const;

/** A sync request as queued: numbered in arrival order, with the time it may run. */
export interface QueuedSync extends SyncJob {
  seq?: number;
  timeoutMs?: number;
}

export interface EnqueueResult {
  status: "queued" | "duplicate";
  /** The job that will run the request (for a duplicate: the one the first delivery queued, when known). */
  jobId: string;
}

export type CancelResult = "removed" | "cancelling" | "finished" | "unknown";

export interface SyncQueueOptions {
  jobTimeoutMs?: number;
}

/** Redis keys beside BullMQ's own, for one install's sync queue. */
export function syncStateKeys(prefix: string) {
  const base = `${prefix}:${QUEUE_NAMES.sync}-state:`;
  return {
    seq: `${base}seq`,
    wanted: `${base}wanted`,
    done: `${base}done`,
    request: (id: string) => `${base}request:${id}`,
    cancel: `${base}cancel`,
  };
}

// Numbers the request and records it as the env's newest, in one step, so the
// numbers and the record cannot disagree however requests interleave.
// The number is spliced into the JSON text rather than through cjson, which
// would turn an empty array into {}. ARGV[2] is a non-empty JSON object.
const WANT = `
local seq = redis.call("INCR", KEYS[1])
local text = '{"seq":' .. seq .. ',' .. string.sub(ARGV[2], 2)
redis.call("HSET", KEYS[2], ARGV[1], text)
return text`;

export class SyncQueue {
  readonly queue: Queue<QueuedSync>;
  private readonly keys: ReturnType<typeof syncStateKeys>;
  private readonly jobTimeoutMs: number;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    options: SyncQueueOptions = {},
  ) {
    this.keys = syncStateKeys(prefix);
    this.jobTimeoutMs = options.jobTimeoutMs ?? SYNC_QUEUE_DEFAULTS.jobTimeoutMs;
    this.queue = new Queue<QueuedSync>(QUEUE_NAMES.sync, {
      connection: redis,
      prefix,
      defaultJobOptions: {
        attempts: SYNC_QUEUE_DEFAULTS.attempts,
        backoff: { type: "exponential", delay: SYNC_QUEUE_DEFAULTS.backoffMs },
        removeOnComplete: { age: SYNC_QUEUE_DEFAULTS.dedupeWindowSeconds, count: 1_000 },
        removeOnFail: { age: SYNC_QUEUE_DEFAULTS.dedupeWindowSeconds, count: 1_000 },
      },
    });
  }

  /**
   * Queues a sync of `job.env`. `requestId` names the request (e.g.
   * `push-<delivery>`): the same id twice within a day queues once.
   */
  async enqueue(job: SyncJob, requestId?: string): Promise<EnqueueResult> {
    const requestKey = requestId === undefined ? undefined : this.keys.request(requestId);
    if (requestKey !== undefined) {
      const fresh = await this.redis.set(requestKey, "", "EX", SYNC_QUEUE_DEFAULTS.dedupeWindowSeconds, "NX");
      if (fresh === null) return { status: "duplicate", jobId: (await this.redis.get(requestKey)) ?? "" };
    }
    try {
      const text = (await this.redis.eval(
        WANT,
        2,
        this.keys.seq,
        this.keys.wanted,
        job.env,
        JSON.stringify({ ...withoutSeq(job), timeoutMs: this.jobTimeoutMs }),
      )) as string;
      const data = JSON.parse(text) as QueuedSync;
      const added = await this.queue.add("sync", data, {
        jobId: `sync-${job.env}-${data.seq}`,
        deduplication: { id: `sync:${job.env}`, keepLastIfActive: true },
      });
      const jobId = added.id ?? "";
      if (requestKey !== undefined) await this.redis.set(requestKey, jobId, "KEEPTTL");
      return { status: "queued", jobId };
    } catch (err) {
      // Not queued after all: a redelivery must be able to try again.
      if (requestKey !== undefined) await this.redis.del(requestKey).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Cancels a job: a pending one is removed; a running one is told to stop
   * (through whichever worker runs it), which rolls back its unfinished apps.
   */
  async cancel(jobId: string, reason = "cancelled through the API"): Promise<CancelResult> {
    const job = await this.queue.getJob(jobId);
    if (!job) return "unknown";
    const state = await job.getState();
    if (state === "completed" || state === "failed") return "finished";
    if (state !== "active") {
      try {
        await job.remove();
        return "removed";
      } catch {
        // It started in the meantime: cancel it running.
      }
    }
    await this.redis.publish(this.keys.cancel, JSON.stringify({ jobId, reason }));
    return "cancelling";
  }

  /** Whether Redis answers (GET /readyz). */
  ping(): Promise<string> {
    return this.redis.ping();
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/** The newest request for `env`, as recorded by enqueue. */
export async function wantedSync(redis: Redis, prefix: string, env: string): Promise<QueuedSync | undefined> {
  const text = await redis.hget(syncStateKeys(prefix).wanted, env);
  return text ? (JSON.parse(text) as QueuedSync) : undefined;
}

/** A request queued again (a payload taken from an older job) gets a new number, never its old one. */
function withoutSeq(job: SyncJob): SyncJob {
  const { seq: _old, ...rest } = job as QueuedSync;
  return rest;
}
