/**
 * The live previews, in one Redis hash (env ─▶ record): every worker sees
 * the same ones, so the cap and the expiry hold across processes and
 * restarts.
 */
import type { Redis } from "ioredis";
import type { PreviewRecord, PreviewRegistry } from "../../model/index.js";

export class RedisPreviewRegistry implements PreviewRegistry {
  private readonly key: string;
  private readonly approvals: string;

  /** `prefix` like `dockhand:<instance>:`; the hash is `<prefix>previews`. */
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}previews`;
    this.approvals = `${prefix}preview-approvals`;
  }

  async list(): Promise<PreviewRecord[]> {
    const all = await this.redis.hgetall(this.key);
    return Object.values(all)
      .map(parse)
      .filter((r): r is PreviewRecord => r !== undefined)
      .sort((a, b) => a.number - b.number);
  }

  async get(env: string): Promise<PreviewRecord | undefined> {
    return parse((await this.redis.hget(this.key, env)) ?? undefined);
  }

  async put(record: PreviewRecord): Promise<void> {
    await this.redis.hset(this.key, record.env, JSON.stringify(record));
  }

  async remove(env: string): Promise<void> {
    await this.redis.hdel(this.key, env);
  }

  async approval(env: string): Promise<string | undefined> {
    return (await this.redis.hget(this.approvals, env)) ?? undefined;
  }

  async approve(env: string, sha: string): Promise<void> {
    await this.redis.hset(this.approvals, env, sha);
  }

  async revoke(env: string): Promise<void> {
    await this.redis.hdel(this.approvals, env);
  }
}

function parse(text: string | undefined): PreviewRecord | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as PreviewRecord;
  } catch {
    return undefined;
  }
}
