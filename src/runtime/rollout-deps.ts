/**
 * The Redis- and disk-backed parts of a sync (issue 4), made in one place so
 * every composition root (serve, worker, apply, rollback) wires them alike:
 * proxy reports, failed specs, rollback holds, known hosts, tracked source
 * repositories, and the secrets directory.
 */
import { join } from "node:path";
import type { Redis } from "ioredis";
import type { FailedSpecs, InFlightSource, KnownHosts, SecretSource, SyncHolds } from "../model/index.js";
import { RedisProxySettings } from "../proxy/index.js";
import { RedisSyncHolds } from "../worker/queue/sync-holds.js";
import { RedisProxyReports } from "../worker/rollout/redis-proxy-reports.js";
import { fileDigestKey, sharedDigestKey } from "../worker/secrets/digest-key.js";
import { DirectorySecrets } from "../worker/secrets/directory-secrets.js";
import { RedisFailedSpecs } from "../worker/sync/failed-specs.js";
import { RedisKnownHosts } from "../worker/sync/known-hosts.js";
import { RedisTrackedSources } from "../worker/sync/tracked-sources.js";
import type { DockhandEnv } from "./env.js";
import { redisPrefix } from "./redis-for.js";

export interface RolloutDeps {
  proxies: InFlightSource;
  failedSpecs: FailedSpecs;
  holds: SyncHolds;
  knownHosts: KnownHosts;
  /** The source repositories production builds from, for the webhook. */
  trackedSources: RedisTrackedSources;
  /** dockhand.yaml's proxy settings, for the proxies that follow them. */
  proxySettings: RedisProxySettings;
  /** Undefined without DOCKHAND_SECRETS_DIR: an app with secrets then cannot be planned. */
  secrets?: SecretSource;
}

/**
 * The secrets directory, with the install's digest key: from its Redis when
 * there is one (shared by every worker machine), else the state dir's copy.
 */
export function secretSource(env: DockhandEnv, redis?: Redis): SecretSource | undefined {
  if (!env.secretsDir) return undefined;
  const file = join(env.stateDir, "secrets-digest.key");
  const key = redis
    ? () => sharedDigestKey(redis, `${redisPrefix(env)}secrets-digest-key`, file)
    : () => fileDigestKey(file);
  return new DirectorySecrets({ dir: env.secretsDir, key });
}

/** `redis` is borrowed: the caller closes it. Spread the result into SyncDeps. */
export function rolloutDeps(env: DockhandEnv, redis: Redis): RolloutDeps {
  const prefix = redisPrefix(env);
  const secrets = secretSource(env, redis);
  return {
    proxies: new RedisProxyReports(redis, prefix),
    failedSpecs: new RedisFailedSpecs(redis, prefix),
    holds: new RedisSyncHolds(redis, prefix),
    knownHosts: new RedisKnownHosts(redis, prefix),
    trackedSources: new RedisTrackedSources(redis, prefix),
    proxySettings: new RedisProxySettings(redis, prefix),
    ...(secrets ? { secrets } : {}),
  };
}
