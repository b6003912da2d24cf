/**
 * Composition root for the long-running processes: `dockhand serve` (webhook
 * receiver, sync worker and built-in proxy in one process) and `dockhand worker`
 * (a sync worker only; several on several machines share one Redis).
 */
import type { Logger } from "pino";
import { DEFAULTS as CONFIG_DEFAULTS, parseDeployRepo } from "./config/index.js";
import { createDockerHosts } from "./docker/index.js";
import {
  DockhandError,
  type HostSpec,
  type ProxySpec,
  type RepoPort,
  type RouteStore,
  type TrackedSource,
} from "./model/index.js";
import { RedisProxySettings, RedisRouteStore } from "./proxy/index.js";
import { logHostsCheck } from "./runtime/command-hosts-check.js";
import { connectRedis } from "./runtime/connect-redis.js";
import type { DockhandEnv } from "./runtime/env.js";
import { buildHttpApp } from "./runtime/http-app.js";
import { openDeployRepo } from "./runtime/open-deploy-repo.js";
import { recordDeploys, serveOperations } from "./runtime/operations.js";
import { type Promotions, startPromotions } from "./runtime/promotions.js";
import { PROXY_SETTINGS_POLL_MS, ProxySupervisor } from "./runtime/proxy-supervisor.js";
import { queuePrefix, redisFor, redisPrefix, routesSnapshotFile } from "./runtime/redis-for.js";
import { reportingFor } from "./runtime/reporting-deps.js";
import { rolloutDeps } from "./runtime/rollout-deps.js";
import { pullRequestJob } from "./worker/previews/pull-request-job.js";
import { BranchPoller } from "./worker/queue/poll-branch.js";
import { SyncQueue } from "./worker/queue/sync-queue.js";
import { SyncWorker } from "./worker/queue/sync-worker.js";
import { AppLocks } from "./worker/sync/app-lock.js";

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

    const startup = await readStartupConfig(repo, log);
    // Logged, never awaited before serving: a host that is down must not keep webhooks from being taken.
    const hostsChecked = logHostsCheck(startup.hosts, env, log.child({ component: "hosts-check" }));
    stops.push(["host check", () => hostsChecked]);
    const proxy = new ProxySupervisor(
      { routes, redisUrl: redis.url, prefix: redisPrefix(env), stateDir: env.stateDir },
      log,
    );
    const settingsRedis = connectRedis(redis.url);
    stops.push(["proxy settings", async () => settingsRedis.disconnect()]);
    const settings = new RedisProxySettings(settingsRedis, redisPrefix(env));
    // The head's settings are what the startup sync applies: written now, so following them never switches back.
    if (startup.proxy) await settings.save(startup.proxy);
    await proxy.switchTo(startup.proxy ?? { driver: "builtin", listen: DEFAULT_PROXY_LISTEN });
    stops.push(["proxy", () => proxy.stop()]);
    // A push that changes dockhand.yaml's proxy settings switches the proxy once its sync has read them.
    proxy.follow(() => settings.load(), PROXY_SETTINGS_POLL_MS);
    const proxyPort = proxy.port ?? 0;

    const { queue, sources, promote, close: closeQueue } = await startQueue(env, log, repo, routes, redis.url);
    stops.push(["sync queue and worker", closeQueue]);

    const operations = await serveOperations({
      env,
      log,
      redisUrl: redis.url,
      repo,
      queue: queue.queue,
      routes,
      proxyPorts: [proxyPort],
    });
    stops.push(["operations", operations.close]);
    const http = await buildHttpApp({
      log,
      operations: operations.routes,
      webhook: {
        secrets: env.webhookSecrets,
        repositorySecrets: env.repositorySecrets,
        repository: env.githubRepo,
        branch: env.branch,
        statusBranch: startup.statusBranch,
        enqueueSync: (job, requestId) => queue.enqueue(job, requestId),
        sources,
        enqueuePreview: (request, requestId) =>
          queue.enqueue(pullRequestJob(request, env.githubRepo ?? "", env.branch), requestId),
      },
      api: {
        enqueueSync: (job, requestId) => queue.enqueue(job, requestId),
        cancelJob: (jobId) => queue.cancel(jobId),
        promote,
      },
      ready: async () => (await queue.ping()) === "PONG",
    });
    await http.listen({ port: env.httpPort, host: "0.0.0.0" });
    stops.push(["http", () => http.close()]);
    const address = http.server.address();
    const httpPort = typeof address === "object" && address ? address.port : env.httpPort;

    // Converge at start: whatever happened while dockhand was down (missed webhooks, drift) is healed.
    await queue.enqueue({ trigger: "startup", env: "production" });
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
  const { close } = await startQueue(env, log, repo, routes, redis.url);
  log.info({ repo: env.repo }, "dockhand worker started");
  return {
    httpPort: 0,
    stop: async () => {
      await close();
      await routes.close();
      await redis.stop();
    },
  };
}

/**
 * The queue side of serve and worker: the producer (webhooks, API, poller),
 * a sync worker, and the poller that fetches the tracked branch. BullMQ never
 * closes a connection it was given, so the connections are closed here.
 */
async function startQueue(
  env: DockhandEnv,
  log: Logger,
  repo: RepoPort,
  routes: RouteStore,
  redisUrl: string,
): Promise<{
  queue: SyncQueue;
  sources: () => Promise<TrackedSource[]>;
  promote: Promotions["promote"];
  close(): Promise<void>;
}> {
  const connection = connectRedis(redisUrl);
  const queueConnection = connectRedis(redisUrl);
  const promotionConnection = connectRedis(redisUrl);
  const rollout = rolloutDeps(env, queueConnection);
  const queue = new SyncQueue(queueConnection, queuePrefix(env), { jobTimeoutMs: env.queue.jobTimeoutMs });
  const promotions = startPromotions(env, promotionConnection, queue, rollout, log);
  const recording = recordDeploys(env, redisUrl, log);
  const reporting = reportingFor(env, log, repo, queueConnection);
  const workerLog = log.child({ component: "worker" });
  const worker = new SyncWorker({
    connection,
    prefix: queuePrefix(env),
    log: workerLog,
    lockTtlMs: env.queue.lockTtlMs,
    // Under the install's prefix, so `dockhand apply` and rollback can take the same locks.
    locks: new AppLocks(connection, redisPrefix(env), { ttlMs: env.queue.lockTtlMs, log: workerLog }),
    onOutcome: recording.onOutcome,
    deps: {
      ...recording.deps,
      ...rollout,
      ...reporting.deps,
      ...promotions.syncDeps,
      repo,
      routes,
      instance: env.instance,
      log,
      dockerFor: (hosts) => createDockerHosts(hosts),
    },
  });
  recording.attach(worker.worker);
  const poller = new BranchPoller({
    connection: queueConnection,
    prefix: queuePrefix(env),
    repo,
    applied: worker.appliedState,
    enqueue: (job) => queue.enqueue(job),
    log: log.child({ component: "poller" }),
  });
  await poller.start(env.queue.pollIntervalMs);
  const stopReaper = reporting.startReaper((job, requestId) => queue.enqueue(job, requestId));
  return {
    queue,
    sources: () => rollout.trackedSources.list(),
    promote: (name) => promotions.promote(name),
    close: async () => {
      stopReaper();
      await poller.close();
      await promotions.close();
      promotionConnection.disconnect();
      const stopped = await worker.stop(env.queue.stopGraceMs);
      log.info({ sync: stopped }, "sync worker stopped");
      await queue.close();
      queueConnection.disconnect();
      connection.disconnect();
      await recording.close();
    },
  };
}

/**
 * What serve needs of dockhand.yaml before the first sync: the proxy's driver,
 * address and the status branch. A repo that does not validate yet falls
 * back to the defaults.
 */
/** The proxy and status settings of the tracked branch's head; `proxy` is undefined when it does not validate. */
async function readStartupConfig(
  repo: RepoPort,
  log: Logger,
): Promise<{ proxy?: ProxySpec; statusBranch: string; hosts: HostSpec[] }> {
  try {
    const desired = parseDeployRepo(await repo.snapshot());
    return {
      proxy: desired.proxy,
      statusBranch: desired.status?.branch ?? CONFIG_DEFAULTS.status.branch,
      hosts: desired.hosts,
    };
  } catch (err) {
    log.warn(
      { err: err instanceof Error ? err.message : String(err), listen: DEFAULT_PROXY_LISTEN },
      "the built-in proxy listens on the default address",
    );
    return { statusBranch: CONFIG_DEFAULTS.status.branch, hosts: [] };
  }
}
