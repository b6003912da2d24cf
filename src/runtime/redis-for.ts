import { join } from "node:path";
import type { DockhandEnv } from "./env.js";
import { ensurePrivateRedis, type PrivateRedis } from "./private-redis.js";

/** REDIS_URL when set, else the private redis-server under the state dir (started when not running). */
export async function redisFor(env: DockhandEnv): Promise<PrivateRedis> {
  if (env.redisUrl) return { url: env.redisUrl, owned: false, stop: async () => {} };
  return ensurePrivateRedis(env.stateDir);
}

/** Keys of one dockhand install, so several installs can share a Redis. */
export function redisPrefix(env: DockhandEnv): string {
  return `dockhand:${env.instance}:`;
}

/** BullMQ's key prefix of the install's queues: every producer, worker and reader uses this one. */
export function queuePrefix(env: DockhandEnv): string {
  return `dockhand:${env.instance}:bull`;
}

export function routesSnapshotFile(env: DockhandEnv): string {
  return join(env.stateDir, "routes.json");
}
