/**
 * Dashboard sessions (src/http/admin-auth.ts) in Redis, so they outlive a
 * restart, expire by themselves and end everywhere at a logout:
 *   <prefix>sessions:<sha256 of the session id>  string, JSON AdminSession, expiring (PX)
 */
import type { Redis } from "ioredis";
import type { AdminSession, SessionStore } from "../http/index.js";

export class RedisSessionStore implements SessionStore {
  private readonly prefix: string;

  /** `redis` is borrowed: the caller closes it. */
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.prefix = `${prefix}sessions:`;
  }

  async save(key: string, session: AdminSession, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + key, JSON.stringify(session), "PX", ttlMs);
  }

  async load(key: string): Promise<AdminSession | undefined> {
    const json = await this.redis.get(this.prefix + key);
    return json === null ? undefined : readSession(json);
  }

  async remove(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}

/** A record that is not a whole session (written by hand, cut short) is no session. */
function readSession(json: string): AdminSession | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  const { csrf, tokenDigest, createdAt } = (value ?? {}) as Partial<Record<keyof AdminSession, unknown>>;
  if (typeof csrf !== "string" || typeof tokenDigest !== "string" || typeof createdAt !== "number") return undefined;
  return { csrf, tokenDigest, createdAt };
}
