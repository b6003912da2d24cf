/**
 * The environments of the tracked branch's config, as its last sync read
 * them, in one Redis key: the webhook receiver, the poller and a restart
 * (which know no config) sync the ones that follow the branch, and a manual
 * promotion finds the environment it promotes from (issue 15).
 */
import type { Redis } from "ioredis";
import type { EnvironmentSpec } from "../../model/index.js";

export class PublishedEnvironments {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}environments`;
  }

  /** As last published; `production` alone before any sync published (a repo that names none). */
  async list(): Promise<EnvironmentSpec[]> {
    const text = await this.redis.get(this.key);
    try {
      const list = text ? (JSON.parse(text) as unknown) : undefined;
      if (Array.isArray(list) && list.length > 0)
        return (list as EnvironmentSpec[]).filter((e) => typeof e?.name === "string");
    } catch {
      // Unreadable: as if never published.
    }
    return [{ name: "production" }];
  }

  async save(environments: EnvironmentSpec[]): Promise<void> {
    await this.redis.set(this.key, JSON.stringify(environments));
  }
}
