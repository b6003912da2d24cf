/**
 * The proxy settings (dockhand.yaml `proxy`: driver, listen, tls) of the last
 * applied config, in one Redis key: each sync of production writes them, and
 * every proxy process that follows the config (inside `dockhand serve`, or
 * `dockhand proxy` without --driver/--listen, on any machine) reads them and
 * switches when they change. So switching drivers is a config change.
 */
import type { Redis } from "ioredis";
import { PROXY_DRIVERS, type ProxySpec } from "../model/index.js";

const DRIVERS: ReadonlySet<string> = new Set(PROXY_DRIVERS);

export class RedisProxySettings {
  private readonly key: string;

  /** `redis` is borrowed: the caller closes it. */
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}proxy-settings`;
  }

  async save(proxy: ProxySpec): Promise<void> {
    await this.redis.set(this.key, JSON.stringify(proxy));
  }

  /** Undefined until a sync wrote them, or when the value is not settings (never trusted then). */
  async load(): Promise<ProxySpec | undefined> {
    const text = await this.redis.get(this.key);
    if (!text) return undefined;
    try {
      const value = JSON.parse(text) as Partial<ProxySpec>;
      if (!DRIVERS.has(String(value.driver)) || typeof value.listen !== "string") return undefined;
      return value as ProxySpec;
    } catch {
      return undefined;
    }
  }
}

/** Whether two settings would run the same proxy. */
export function sameProxySettings(a: ProxySpec, b: ProxySpec): boolean {
  return JSON.stringify([a.driver, a.listen, a.tls ?? null]) === JSON.stringify([b.driver, b.listen, b.tls ?? null]);
}
