import type { Redis } from "ioredis";
import type { HostSpec, KnownHosts } from "../../model/index.js";

/** KnownHosts in one Redis key, shared by every worker of the install. */
export class RedisKnownHosts implements KnownHosts {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}known-hosts`;
  }

  async load(): Promise<HostSpec[]> {
    const text = await this.redis.get(this.key);
    if (!text) return [];
    try {
      const hosts = JSON.parse(text) as unknown;
      return Array.isArray(hosts) ? (hosts as HostSpec[]).filter((h) => typeof h?.name === "string") : [];
    } catch {
      return [];
    }
  }

  async save(hosts: HostSpec[]): Promise<void> {
    await this.redis.set(this.key, JSON.stringify(hosts));
  }
}

/**
 * The hosts a sync talks to: those of the config, plus hosts the last applied
 * config had that this one dropped (their containers must still be moved off).
 */
export function hostsToObserve(desired: HostSpec[], known: HostSpec[]): { all: HostSpec[]; removed: HostSpec[] } {
  const names = new Set(desired.map((h) => h.name));
  const removed = known.filter((h) => !names.has(h.name));
  return { all: [...desired, ...removed], removed };
}
