import type { Logger } from "pino";
import { parseDeployRepo } from "../config/index.js";
import { DockhandError, PROXY_DRIVERS, type ProxyDriver, type ProxySpec } from "../model/index.js";
import { RedisProxySettings, RedisRouteStore } from "../proxy/index.js";
import { connectRedis } from "./connect-redis.js";
import type { DockhandEnv } from "./env.js";
import { openDeployRepo } from "./open-deploy-repo.js";
import { PROXY_SETTINGS_POLL_MS, ProxySupervisor } from "./proxy-supervisor.js";
import { redisFor, redisPrefix, routesSnapshotFile } from "./redis-for.js";

export interface ProxyFlags {
  repo?: string;
  ref?: string;
  driver?: string;
  listen?: string;
}

const DEFAULT_LISTEN = "0.0.0.0:8080";

/**
 * `dockhand proxy`: a proxy alone, following the route table in Redis, so
 * proxies can run on several machines. Driver and address come from the flags,
 * else from dockhand.yaml (with --repo or DOCKHAND_REPO), else the defaults.
 */
export async function startProxyCommand(
  env: DockhandEnv,
  flags: ProxyFlags,
  log: Logger,
): Promise<{ stop(): Promise<void>; port: number }> {
  const fromRepo = (flags.repo ?? env.repo) ? await proxySettingsOf(env, flags) : undefined;
  const driver = flags.driver ?? fromRepo?.driver ?? "builtin";
  if (!(PROXY_DRIVERS as readonly string[]).includes(driver)) {
    throw new DockhandError("DOCKHAND_E_USAGE", `--driver must be one of ${PROXY_DRIVERS.join(", ")}, got "${driver}"`);
  }
  const redis = await redisFor(env);
  const routes = new RedisRouteStore({
    redis: connectRedis(redis.url),
    prefix: redisPrefix(env),
    snapshotFile: routesSnapshotFile(env),
  });
  const proxy = new ProxySupervisor(
    { routes, redisUrl: redis.url, prefix: redisPrefix(env), stateDir: env.stateDir },
    log,
  );
  const settingsRedis = connectRedis(redis.url);
  const stop = async () => {
    await proxy.stop();
    settingsRedis.disconnect();
    await routes.close();
    await redis.stop();
  };
  try {
    const settings = new RedisProxySettings(settingsRedis, redisPrefix(env));
    const fixed = flags.driver !== undefined || flags.listen !== undefined;
    const spec: ProxySpec = fixed
      ? {
          driver: driver as ProxyDriver,
          listen: flags.listen ?? fromRepo?.listen ?? DEFAULT_LISTEN,
          // HTTPS only for the driver dockhand.yaml names: --driver picking another one drops it.
          ...(driver === fromRepo?.driver && fromRepo.tls ? { tls: fromRepo.tls } : {}),
        }
      : (fromRepo ?? (await settings.load()) ?? { driver: "builtin", listen: DEFAULT_LISTEN });
    await proxy.switchTo(spec);
    // Without flags it follows dockhand.yaml as the syncs apply it, like the proxy inside serve.
    if (!fixed) proxy.follow(() => settings.load(), PROXY_SETTINGS_POLL_MS);
    log.info({ driver: spec.driver, port: proxy.port, follows: !fixed }, "dockhand proxy serving");
    return { port: proxy.port ?? 0, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function proxySettingsOf(env: DockhandEnv, flags: ProxyFlags): Promise<ProxySpec> {
  const repo = await openDeployRepo(env, flags);
  const { proxy } = parseDeployRepo(await repo.snapshot(flags.ref));
  return proxy;
}
