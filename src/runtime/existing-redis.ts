import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { connectRedis } from "./connect-redis.js";
import type { DockhandEnv } from "./env.js";
import { ensurePrivateRedis } from "./private-redis.js";

/** How long a read-only command waits for Redis before showing what it can without it. */
const CONNECT_TIMEOUT_MS = 2_000;

export type ExistingRedis = { url: string; client: Redis; stop(): Promise<void> } | { reason: string };

/**
 * The Redis a read-only command (`status`) can use: REDIS_URL when it
 * answers, else the private Redis under the state dir when one was ever
 * started there (`serve` or `apply` made it; it is started for the command
 * and stopped after when nothing runs it). Otherwise why not, for the user.
 */
export async function existingRedis(env: DockhandEnv): Promise<ExistingRedis> {
  let url = env.redisUrl;
  let stop = async () => {};
  if (!url) {
    if (!existsSync(join(env.stateDir, "redis"))) {
      return { reason: `no dockhand Redis under ${env.stateDir} (run dockhand there, or set REDIS_URL)` };
    }
    const own = await ensurePrivateRedis(env.stateDir);
    url = own.url;
    stop = own.stop;
  }
  const client = connectRedis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    await client.ping();
    // From here on the client may reconnect (a long `logs -f` or a Redis restart), as usual.
    client.options.retryStrategy = (times) => Math.min(times * 200, 2_000);
    return { url, client, stop };
  } catch (err) {
    client.disconnect();
    await stop();
    const shown = env.redisUrl ? "REDIS_URL" : url;
    return { reason: `Redis at ${shown} did not answer: ${err instanceof Error ? err.message : String(err)}` };
  }
}
