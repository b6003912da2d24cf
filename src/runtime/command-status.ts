/**
 * `dockhand status [--json]`: per environment and app, desired vs running
 * replicas, hosts, health, commit and last outcome, with the running deploys,
 * queue and holds. The live part (the engines) is always shown; the Redis part
 * (history, queue, holds) when a Redis answers, and otherwise the reason.
 */
import { Queue } from "bullmq";
import { createDockerHosts } from "../docker/index.js";
import type { StatusSnapshot } from "../http/index.js";
import { QUEUE_NAMES, type SyncJob } from "../model/index.js";
import { DeployHistory } from "../worker/history/deploy-history.js";
import { RedisPreviewRegistry } from "../worker/previews/redis-preview-registry.js";
import { RedisSyncHolds } from "../worker/queue/sync-holds.js";
import { out, useColor } from "./cli-io.js";
import type { DockhandEnv } from "./env.js";
import { existingRedis } from "./existing-redis.js";
import { holdStatus, LiveStatus, previewStatus } from "./live-status.js";
import { loadDesired, type RepoFlags } from "./load-state.js";
import { readQueue } from "./queue-view.js";
import { queuePrefix, redisPrefix } from "./redis-for.js";
import { renderStatusText } from "./render-status-text.js";

export async function commandStatus(env: DockhandEnv, flags: RepoFlags & { json?: boolean }): Promise<number> {
  const { desired } = await loadDesired(env, flags);
  const redis = await existingRedis(env);
  const connected = "client" in redis ? redis : undefined;
  const queue = connected
    ? new Queue<SyncJob>(QUEUE_NAMES.sync, { connection: connected.client, prefix: queuePrefix(env) })
    : undefined;
  const status = new LiveStatus({
    instance: env.instance,
    desired: async () => ({ desired }),
    dockerFor: (hosts) => createDockerHosts(hosts),
    ...(connected
      ? { history: new DeployHistory(connected.client, { prefix: redisPrefix(env) }) }
      : { historyError: "reason" in redis ? redis.reason : undefined }),
    ...(queue ? { queue: () => readQueue(queue) } : {}),
    ...(connected
      ? {
          holds: async () => (await new RedisSyncHolds(connected.client, redisPrefix(env)).list()).map(holdStatus),
          previews: async () =>
            (await new RedisPreviewRegistry(connected.client, redisPrefix(env)).list()).map(previewStatus),
        }
      : {}),
  });
  let snapshot: StatusSnapshot;
  try {
    snapshot = await status.snapshot();
  } finally {
    await status.close();
    await queue?.close();
    connected?.client.disconnect();
    await connected?.stop();
  }
  out(flags.json ? JSON.stringify(snapshot, null, 2) : renderStatusText(snapshot, { color: useColor() }));
  return 0;
}
