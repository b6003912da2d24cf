import type { Logger } from "pino";
import { parseDeployRepo } from "../config/index.js";
import { DockhandError, type ProxyDriver, type ProxyTlsSpec } from "../model/index.js";
import { RedisRouteStore } from "../proxy/index.js";
import { connectRedis } from "./connect-redis.js";
import type { DockhandEnv } from "./env.js";
import { openDeployRepo } from "./open-deploy-repo.js";
import { redisFor, redisPrefix, routesSnapshotFile } from "./redis-for.js";
import { parseListen, startProxy } from "./start-proxy.js";

export interface ProxyFlags {
  repo?: string;
  ref?: string;
  driver?: string;
  listen?: string;
}

const DRIVERS: readonly ProxyDriver[] = ["builtin", "nginx", "caddy"];

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
  if (!DRIVERS.includes(driver as ProxyDriver)) {
    throw new DockhandError("DOCKHAND_E_USAGE", `--driver must be one of ${DRIVERS.join(", ")}, got "${driver}"`);
  }
  const redis = await redisFor(env);
  const routes = new RedisRouteStore({
    redis: connectRedis(redis.url),
    prefix: redisPrefix(env),
    snapshotFile: routesSnapshotFile(env),
  });
  try {
    const proxy = await startProxy({
      driver: driver as ProxyDriver,
      listen: parseListen(flags.listen ?? fromRepo?.listen ?? "0.0.0.0:8080"),
      routes,
      redisUrl: redis.url,
      prefix: redisPrefix(env),
      stateDir: env.stateDir,
      log,
      // HTTPS only for the driver dockhand.yaml names: --driver picking another one drops it.
      ...(driver === fromRepo?.driver && fromRepo.tls ? { tls: fromRepo.tls } : {}),
    });
    log.info({ driver, port: proxy.port }, "dockhand proxy serving");
    return {
      port: proxy.port,
      stop: async () => {
        await proxy.stop();
        await routes.close();
        await redis.stop();
      },
    };
  } catch (err) {
    await routes.close();
    await redis.stop();
    throw err;
  }
}

async function proxySettingsOf(
  env: DockhandEnv,
  flags: ProxyFlags,
): Promise<{ driver: string; listen: string; tls?: ProxyTlsSpec }> {
  const repo = await openDeployRepo(env, flags);
  const { proxy } = parseDeployRepo(await repo.snapshot(flags.ref));
  return { driver: proxy.driver, listen: proxy.listen, ...(proxy.tls ? { tls: proxy.tls } : {}) };
}
