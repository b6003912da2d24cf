/**
 * Composition root for the long-running processes: `dockhand serve` (webhook
 * receiver, sync worker and built-in proxy in one process) and `dockhand worker`
 * (a sync worker only; several on several machines share one Redis).
 */
import type { Logger } from "pino";
import { parseDeployRepo } from "./config/index.js";
import { createDockerHosts } from "./docker/index.js";
import { DockhandError, type RepoPort, type RouteStore } from "./model/index.js";
import { BuiltinProxy, RedisRouteStore, serveRoutes } from "./proxy/index.js";
import { connectRedis } from "./runtime/connect-redis.js";
import type { DockhandEnv } from "./runtime/env.js";
import { buildHttpApp } from "./runtime/http-app.js";
import { openDeployRepo } from "./runtime/open-deploy-repo.js";
import { redisFor, redisPrefix, routesSnapshotFile } from "./runtime/redis-for.js";
import { SyncQueue } from "./worker/sync-queue.js";
import { createSyncWorker } from "./worker/sync-worker.js";

export const DEFAULT_PROXY_LISTEN = "0.0.0.0:8080";

export interface Running {
  /** Where things listen, for the demo's and the tests' benefit. */
  httpPort: number;
  proxyPort?: number;
  stop(): Promise<void>;
}

export async function startServe(env: DockhandEnv, log: Logger): Promise<Running> {
  if (env.webhookSecrets.length === 0) {
    throw new DockhandError(
      "DOCKHAND_E_USAGE",
      "dockhand serve needs DOCKHAND_WEBHOOK_SECRET (the secret set on the GitHub webhook)",
    );
  }
  if (!env.repo)
    throw new DockhandError(
      "DOCKHAND_E_USAGE",
      "dockhand serve needs DOCKHAND_REPO (a git URL or path of the deploy repo)",
    );
  if (!env.githubRepo) {
    throw new DockhandError(
      "DOCKHAND_E_USAGE",
      `set DOCKHAND_GITHUB_REPO to the owner/name whose push webhooks deploy ${env.repo} (it is derived only from github.com URLs)`,
    );
  }
  // Stopped in reverse order of starting: stop taking webhooks first, close Redis last.
  const stops: Array<[string, () => Promise<void>]> = [];
  const stopAll = async () => {
    for (const [what, stop] of stops.reverse()) {
      await stop().then(
        () => log.debug({ what }, "stopped"),
        (err) => log.error({ what, err: String(err) }, "stop failed"),
      );
    }
  };
  try {
    const redis = await redisFor(env);
    stops.push(["redis", redis.stop]);
    const repo = await openDeployRepo(env, { repo: env.repo });
    const routes = new RedisRouteStore({
      redis: connectRedis(redis.url),
      prefix: redisPrefix(env),
      snapshotFile: routesSnapshotFile(env),
    });
    stops.push(["route store", () => routes.close()]);

    const proxy = new BuiltinProxy({
      listen: parseListen(await proxyListen(repo, log)),
      log: log.child({ component: "proxy" }),
    });
    const { port: proxyPort } = await proxy.start();
    stops.push(["proxy", () => proxy.stop()]);
    const unserve = await serveRoutes(proxy, routes);
    stops.push(["route subscription", unserve]);

    const worker = startWorkerOn(env, log, repo, routes, redis.url);
    stops.push(["sync worker", worker.close]);
    const queueConnection = connectRedis(redis.url);
    const queue = new SyncQueue(queueConnection, queuePrefix(env));
    stops.push([
      "sync queue",
      async () => {
        await queue.close();
        queueConnection.disconnect();
      },
    ]);

    const http = await buildHttpApp({
      log,
      webhook: {
        secrets: env.webhookSecrets,
        repository: env.githubRepo,
        branch: env.branch,
        enqueueSync: (job, jobId) => queue.enqueue(job, jobId),
      },
      ready: async () => (await queueConnection.ping()) === "PONG",
    });
    await http.listen({ port: env.httpPort, host: "0.0.0.0" });
    stops.push(["http", () => http.close()]);
    const address = http.server.address();
    const httpPort = typeof address === "object" && address ? address.port : env.httpPort;

    // Converge at start: whatever happened while dockhand was down (missed webhooks, drift) is healed.
    await queue.enqueue({ trigger: "startup", env: "production" }, `startup-${Date.now()}`);
    log.info({ httpPort, proxyPort, repo: env.repo, branch: env.branch }, "dockhand serving");
    return { httpPort, proxyPort, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

export async function startWorker(env: DockhandEnv, log: Logger): Promise<Running> {
  if (!env.repo)
    throw new DockhandError(
      "DOCKHAND_E_USAGE",
      "dockhand worker needs DOCKHAND_REPO (a git URL or path of the deploy repo)",
    );
  const redis = await redisFor(env);
  const repo = await openDeployRepo(env, { repo: env.repo });
  const routes = new RedisRouteStore({ redis: connectRedis(redis.url), prefix: redisPrefix(env) });
  const worker = startWorkerOn(env, log, repo, routes, redis.url);
  log.info({ repo: env.repo }, "dockhand worker started");
  return {
    httpPort: 0,
    stop: async () => {
      await worker.close();
      await routes.close();
      await redis.stop();
    },
  };
}

/** A sync worker and the connection it owns (BullMQ never closes a connection it was given). */
function startWorkerOn(
  env: DockhandEnv,
  log: Logger,
  repo: RepoPort,
  routes: RouteStore,
  redisUrl: string,
): { close(): Promise<void> } {
  const connection = connectRedis(redisUrl);
  const worker = createSyncWorker({
    connection,
    prefix: queuePrefix(env),
    log: log.child({ component: "worker" }),
    deps: {
      repo,
      routes,
      instance: env.instance,
      log,
      dockerFor: (hosts) => createDockerHosts(hosts),
    },
  });
  return {
    close: async () => {
      await worker.close();
      connection.disconnect();
    },
  };
}

function queuePrefix(env: DockhandEnv): string {
  return `dockhand:${env.instance}:bull`;
}

/** The proxy's address comes from dockhand.yaml; a repo that does not validate yet falls back to the default. */
async function proxyListen(repo: RepoPort, log: Logger): Promise<string> {
  try {
    return parseDeployRepo(await repo.snapshot()).proxy.listen;
  } catch (err) {
    log.warn(
      { err: err instanceof Error ? err.message : String(err), listen: DEFAULT_PROXY_LISTEN },
      "proxy listens on the default address",
    );
    return DEFAULT_PROXY_LISTEN;
  }
}

export function parseListen(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(":");
  const host = at > 0 ? listen.slice(0, at) : "0.0.0.0";
  const port = Number(at >= 0 ? listen.slice(at + 1) : listen);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DockhandError("DOCKHAND_E_USAGE", `proxy.listen must be "host:port", got "${listen}"`);
  }
  return { host, port };
}
