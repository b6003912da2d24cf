/**
 * The commit last applied in full, per environment, kept in Redis so every
 * worker agrees: a sync for an older commit does nothing, and the poller
 * knows when the tracked branch has moved on (issue 6).
 */
import type { Redis } from "ioredis";

export interface AppliedCommit {
  sha: string;
  /** Epoch ms. */
  at: number;
}

export class AppliedState {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}applied`;
  }

  async get(env: string): Promise<AppliedCommit | undefined> {
    const text = await this.redis.hget(this.key, env);
    if (!text) return undefined;
    try {
      const parsed = JSON.parse(text) as Partial<AppliedCommit>;
      return typeof parsed.sha === "string" && typeof parsed.at === "number"
        ? { sha: parsed.sha, at: parsed.at }
        : undefined;
    } catch {
      return undefined;
    }
  }

  async record(env: string, sha: string, at = Date.now()): Promise<void> {
    await this.redis.hset(this.key, env, JSON.stringify({ sha, at } satisfies AppliedCommit));
  }
}
