/**
 * The promotion side of serve and worker (issue 15): the delayed jobs that
 * promote a proved commit, the worker that checks the proof when one is due,
 * the environments the tracked branch declares, and a promotion by hand.
 */
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createDockerHosts } from "../docker/index.js";
import { QUEUE_NAMES } from "../model/index.js";
import { type Promoted, promoteNow } from "../worker/promotion/promote-now.js";
import { PromotionQueue } from "../worker/promotion/promotion-queue.js";
import { PromotionWorker } from "../worker/promotion/promotion-worker.js";
import { AppliedState } from "../worker/queue/applied-state.js";
import type { SyncQueue } from "../worker/queue/sync-queue.js";
import { PublishedEnvironments } from "../worker/sync/published-environments.js";
import type { SyncDeps } from "../worker/sync/run-sync.js";
import type { DockhandEnv } from "./env.js";
import { queuePrefix, redisPrefix } from "./redis-for.js";
import type { RolloutDeps } from "./rollout-deps.js";

export interface Promotions {
  /** Spread into the sync worker's deps. */
  syncDeps: Pick<SyncDeps, "environments" | "appliedSha" | "enqueueSync" | "promotions">;
  promote(env: string): Promise<Promoted>;
  close(): Promise<void>;
}

/** What serve, the worker and `dockhand promote` share: the stores a proof reads and the queues it writes. */
export function promotionParts(
  env: DockhandEnv,
  connection: Redis,
  queue: SyncQueue,
  rollout: Pick<RolloutDeps, "failedSpecs" | "knownHosts">,
) {
  const prefix = queuePrefix(env);
  const applied = new AppliedState(connection, `${prefix}:${QUEUE_NAMES.sync}-state:`);
  const environments = new PublishedEnvironments(connection, redisPrefix(env));
  const scheduler = new PromotionQueue(connection, prefix);
  const proofDeps = {
    instance: env.instance,
    applied,
    failedSpecs: rollout.failedSpecs,
    knownHosts: rollout.knownHosts,
    dockerFor: createDockerHosts,
    enqueueSync: (job: Parameters<SyncQueue["enqueue"]>[0], requestId: string) => queue.enqueue(job, requestId),
  };
  return {
    prefix,
    applied,
    environments,
    scheduler,
    proofDeps,
    promote: (name: string) =>
      promoteNow(name, { ...proofDeps, environments, candidate: (target) => scheduler.candidate(target) }),
  };
}

/** `connection` is borrowed (BullMQ never closes what it is given); the caller disconnects it. */
export function startPromotions(
  env: DockhandEnv,
  connection: Redis,
  queue: SyncQueue,
  rollout: Pick<RolloutDeps, "failedSpecs" | "knownHosts">,
  log: Logger,
): Promotions {
  const parts = promotionParts(env, connection, queue, rollout);
  const { applied, scheduler } = parts;
  const worker = new PromotionWorker({
    ...parts.proofDeps,
    connection,
    prefix: parts.prefix,
    log: log.child({ component: "promotions" }),
  });
  return {
    syncDeps: {
      environments: parts.environments,
      appliedSha: async (name) => (await applied.get(name))?.sha,
      enqueueSync: (job) => queue.enqueue(job),
      promotions: scheduler,
    },
    promote: parts.promote,
    close: async () => {
      await worker.close();
      await scheduler.close();
    },
  };
}
