/**
 * `dockhand promote <env>`: promote the commit the environment's source runs
 * now, when it passes the proof (healthy, not restarted, not failed), without
 * waiting for `after` (issue 15). Through the Redis `dockhand serve` uses:
 * the sync it queues runs on the serve or worker processes.
 */
import { DockhandError } from "../model/index.js";
import { SyncQueue } from "../worker/queue/sync-queue.js";
import { out } from "./cli-io.js";
import type { DockhandEnv } from "./env.js";
import { existingRedis } from "./existing-redis.js";
import { promotionParts } from "./promotions.js";
import { queuePrefix } from "./redis-for.js";
import { rolloutDeps } from "./rollout-deps.js";

export async function commandPromote(env: DockhandEnv, target: string): Promise<number> {
  const redis = await existingRedis(env);
  if (!("client" in redis))
    throw new DockhandError("DOCKHAND_E_QUEUE", `dockhand promote queues through dockhand's Redis: ${redis.reason}`);
  const queue = new SyncQueue(redis.client, queuePrefix(env));
  const parts = promotionParts(env, redis.client, queue, rolloutDeps(env, redis.client));
  try {
    const done = await parts.promote(target);
    const what = `promotion of ${done.env} to ${done.sha} (proved by ${done.from})`;
    out(
      done.status === "queued"
        ? `${what} queued as job ${done.jobId}`
        : `${what} was already asked for: job ${done.jobId}`,
    );
    return 0;
  } finally {
    await parts.scheduler.close();
    await queue.close();
    redis.client.disconnect();
    await redis.stop();
  }
}
