/**
 * The sync queue as the status and /metrics show it, read from BullMQ:
 * running and pending jobs, counts by state, and the newest commit seen per
 * environment (a push names its sha) for the sync-lag metric.
 */
import type { Job, Queue } from "bullmq";
import type { QueueJobView, QueueSnapshot, SeenCommit } from "../http/index.js";
import type { SyncJob } from "../model/index.js";

/** Jobs listed per state: the dashboard shows a queue, not an archive. */
const LISTED = 20;

export async function readQueue<T extends SyncJob>(queue: Queue<T>): Promise<QueueSnapshot> {
  const [counts, active, waiting, delayed] = await Promise.all([
    queue.getJobCounts("active", "waiting", "delayed", "failed", "prioritized"),
    queue.getActive(0, LISTED - 1),
    queue.getWaiting(0, LISTED - 1),
    queue.getDelayed(0, LISTED - 1),
  ]);
  return {
    running: active.filter(Boolean).map(view),
    pending: [...waiting, ...delayed]
      .filter(Boolean)
      .map(view)
      .sort((a, b) => a.enqueuedAt - b.enqueuedAt),
    counts: {
      active: counts.active ?? 0,
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
    },
  };
}

/** Per environment, the newest job that named a commit, whatever its state. */
export async function readSeenCommits<T extends SyncJob>(queue: Queue<T>): Promise<SeenCommit[]> {
  const jobs = await queue.getJobs(["active", "waiting", "delayed", "prioritized", "completed", "failed"], 0, 49);
  const newest = new Map<string, SeenCommit>();
  for (const job of jobs.filter(Boolean)) {
    const { env, sha } = job.data;
    if (!sha) continue;
    const seen = newest.get(env);
    if (!seen || job.timestamp > seen.seenAt) newest.set(env, { env, sha, seenAt: job.timestamp });
  }
  return [...newest.values()];
}

function view<T extends SyncJob>(job: Job<T>): QueueJobView {
  return {
    id: job.id ?? "",
    env: job.data.env,
    trigger: job.data.trigger,
    ...(job.data.sha ? { sha: job.data.sha } : {}),
    ...(job.data.delivery ? { delivery: job.data.delivery } : {}),
    enqueuedAt: job.timestamp,
    ...(job.processedOn ? { startedAt: job.processedOn } : {}),
  };
}
