/**
 * Failed rollouts remembered in Redis (issue 4: no redeploy loops): the
 * last failure per app, until a rollout of the app succeeds.
 *   <prefix>failed  hash, field "env/app" ─▶ JSON FailedSpec
 */
import type { Redis } from "ioredis";
import { type FailedSpec, type FailedSpecs, routeKey } from "../../model/index.js";

export class RedisFailedSpecs implements FailedSpecs {
  private readonly key: string;

  /** `redis` is borrowed: the caller closes it. */
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}failed`;
  }

  async record(failure: FailedSpec): Promise<void> {
    await this.redis.hset(this.key, routeKey(failure.env, failure.app), JSON.stringify(failure));
  }

  async get(env: string, app: string): Promise<FailedSpec | undefined> {
    const json = await this.redis.hget(this.key, routeKey(env, app));
    return json ? (JSON.parse(json) as FailedSpec) : undefined;
  }

  async clear(env: string, app: string): Promise<void> {
    await this.redis.hdel(this.key, routeKey(env, app));
  }
}
