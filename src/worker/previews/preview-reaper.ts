/**
 * Previews idle for `previews.ttl` go (issue 7): a timer finds records past
 * their expiry and queues the PR's job with action `expired`, which tears the
 * preview down through the queue like any other change (locks, one job per
 * environment), and tells the PR.
 */
import type { Logger } from "pino";
import type { PreviewRegistry, SyncJob } from "../../model/index.js";

export const DEFAULT_REAP_INTERVAL_MS = 60_000;

export interface PreviewReaperOptions {
  registry: PreviewRegistry;
  /** The sync queue's enqueue: `requestId` dedupes. */
  enqueue: (job: SyncJob, requestId: string) => Promise<unknown>;
  log: Logger;
  now?: () => number;
  intervalMs?: number;
}

/** Queues a teardown for every expired preview; returns their environments. */
export async function reapPreviews(options: PreviewReaperOptions): Promise<string[]> {
  const now = (options.now ?? Date.now)();
  const expired = (await options.registry.list()).filter((p) => p.expiresAt <= now);
  for (const preview of expired) {
    const job: SyncJob = {
      trigger: "poll",
      env: preview.env,
      sha: preview.headSha,
      pullRequest: { ...preview.pullRequest, headSha: preview.headSha, action: "expired" },
    };
    await options.enqueue(job, `expire-${preview.env}-${preview.expiresAt}`);
    options.log.info({ env: preview.env, expiresAt: new Date(preview.expiresAt).toISOString() }, "preview expired");
  }
  return expired.map((p) => p.env);
}

/** Runs reapPreviews every `intervalMs` until the returned stop is called. */
export function startPreviewReaper(options: PreviewReaperOptions): () => void {
  const tick = () => {
    reapPreviews(options).catch((err: unknown) => {
      options.log.warn({ err: err instanceof Error ? err.message : String(err) }, "preview reaper failed");
    });
  };
  const timer = setInterval(tick, options.intervalMs ?? DEFAULT_REAP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
