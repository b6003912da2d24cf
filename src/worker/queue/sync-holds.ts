/**
 * Holds set by `dockhand rollback` (issue 4), in Redis so every worker and
 * `dockhand status` see them:
 *   <prefix>holds  hash, field "env/app" ─▶ JSON SyncHold
 */
import type { Redis } from "ioredis";
import { routeKey, type SyncHold, type SyncHolds } from "../../model/index.js";

export class RedisSyncHolds implements SyncHolds {
  private readonly key: string;

  /** `redis` is borrowed: the caller closes it. */
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}holds`;
  }

  async set(hold: SyncHold): Promise<void> {
    await this.redis.hset(this.key, routeKey(hold.env, hold.app), JSON.stringify(hold));
  }

  async get(env: string, app: string): Promise<SyncHold | undefined> {
    const json = await this.redis.hget(this.key, routeKey(env, app));
    return json ? (JSON.parse(json) as SyncHold) : undefined;
  }

  async list(): Promise<SyncHold[]> {
    const all = await this.redis.hgetall(this.key);
    return Object.keys(all)
      .sort()
      .map((field) => JSON.parse(all[field] ?? "{}") as SyncHold);
  }

  async release(env: string, app: string): Promise<void> {
    await this.redis.hdel(this.key, routeKey(env, app));
  }
}
