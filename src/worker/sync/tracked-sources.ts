/**
 * The source repositories production's apps build from, as the last sync of
 * production read them, in one Redis key: the webhook receiver (which knows
 * no config) matches pushes to other repositories against it.
 */
import type { Redis } from "ioredis";
import type { DesiredState, TrackedSource } from "../../model/index.js";

export class RedisTrackedSources {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}tracked-sources`;
  }

  async list(): Promise<TrackedSource[]> {
    const text = await this.redis.get(this.key);
    if (!text) return [];
    try {
      const list = JSON.parse(text) as unknown;
      return Array.isArray(list) ? (list as TrackedSource[]).filter((s) => typeof s?.url === "string") : [];
    } catch {
      return [];
    }
  }

  async save(sources: TrackedSource[]): Promise<void> {
    await this.redis.set(this.key, JSON.stringify(sources));
  }
}

/** One entry per repository and branch, with the apps building from it. */
export function trackedSourcesOf(desired: DesiredState): TrackedSource[] {
  const byKey = new Map<string, TrackedSource>();
  for (const app of desired.apps) {
    const git = app.build?.git;
    if (!git) continue;
    const key = `${git.url}#${git.branch}`;
    const entry = byKey.get(key) ?? { url: git.url, branch: git.branch, apps: [] };
    entry.apps.push(app.name);
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}
