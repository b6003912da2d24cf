/**
 * `GET /metrics` for Prometheus (issue 8). Everything is read at scrape time
 * from the sources (deploy history in Redis, queue, observed containers cached
 * ~10 s, proxy counters), so every dockhand process sharing a Redis reports
 * the same deploy totals, whichever worker ran the deploy.
 */
import { Counter, collectDefaultMetrics, Gauge, type Metric, Registry } from "prom-client";
import type { DeployStats } from "../model/index.js";
import type { MetricsSource, ProxyTraffic, SeenCommit, StatusSource } from "./sources.js";
import type { StatusSnapshot } from "./status-types.js";

export const METRICS_DEFAULTS = {
  /** Containers observed at most this long ago are good enough for a scrape. */
  containersMaxAgeMs: 10_000,
} as const;

/** Every series this module exposes, for docs/operations.md and the test that scrapes them. */
export const METRIC_NAMES = [
  "dockhand_deploys_total",
  "dockhand_deploy_duration_seconds",
  "dockhand_queue_jobs",
  "dockhand_queue_oldest_pending_seconds",
  "dockhand_sync_lag_seconds",
  "dockhand_sync_last_applied_timestamp_seconds",
  "dockhand_proxy_requests_total",
  "dockhand_proxy_upstream_errors_total",
  "dockhand_containers",
  "dockhand_host_up",
  "dockhand_deploy_history_up",
] as const;

export interface Metrics {
  contentType: string;
  /** The exposition text; reads every source once. */
  render(): Promise<string>;
}

export function createMetrics(status: StatusSource, source: MetricsSource, now: () => number = Date.now): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const g = gauges(registry);
  let durations: DeployStats["durations"] = [];
  registry.registerMetric(durationHistogram(() => durations) as unknown as Metric);
  return {
    contentType: registry.contentType,
    async render() {
      const [snapshot, stats, seen] = await Promise.all([
        status.snapshot({ maxAgeMs: METRICS_DEFAULTS.containersMaxAgeMs }),
        source.deployStats().catch(() => undefined),
        source.seenCommits().catch(() => [] as SeenCommit[]),
      ]);
      durations = stats?.durations ?? [];
      setDeploys(g, stats);
      setQueue(g, snapshot, now());
      setSync(g, snapshot, seen, now());
      setContainers(g, snapshot);
      setProxy(g, source.proxyTraffic?.());
      return registry.metrics();
    },
  };
}

type Gauges = ReturnType<typeof gauges>;

function gauges(registry: Registry) {
  const registers = [registry];
  return {
    deploys: new Counter({
      name: "dockhand_deploys_total",
      help: "App rollouts finished, by outcome (succeeded, failed, rolledBack); kept in Redis across restarts.",
      labelNames: ["env", "app", "outcome"],
      registers,
    }),
    historyUp: new Gauge({
      name: "dockhand_deploy_history_up",
      help: "1 when the deploy history in Redis could be read.",
      registers,
    }),
    queueJobs: new Gauge({
      name: "dockhand_queue_jobs",
      help: "Sync jobs in the queue by state (active, waiting, delayed, failed).",
      labelNames: ["state"],
      registers,
    }),
    queueAge: new Gauge({
      name: "dockhand_queue_oldest_pending_seconds",
      help: "Age of the oldest sync job waiting to run; 0 when none waits.",
      registers,
    }),
    syncLag: new Gauge({
      name: "dockhand_sync_lag_seconds",
      help: "How long the newest commit seen (a push) has waited to be applied; 0 when it is applied.",
      labelNames: ["env"],
      registers,
    }),
    syncApplied: new Gauge({
      name: "dockhand_sync_last_applied_timestamp_seconds",
      help: "When the last sync of the environment finished (Unix time).",
      labelNames: ["env"],
      registers,
    }),
    requests: new Counter({
      name: "dockhand_proxy_requests_total",
      help: "Requests the built-in proxy answered, by app and status code.",
      labelNames: ["env", "app", "code"],
      registers,
    }),
    upstreamErrors: new Counter({
      name: "dockhand_proxy_upstream_errors_total",
      help: "Requests the built-in proxy could not serve from an upstream (502, 503, 504), by app.",
      labelNames: ["env", "app"],
      registers,
    }),
    containers: new Gauge({
      name: "dockhand_containers",
      help: "Managed containers by host, state and health (observed at most 10 s ago).",
      labelNames: ["host", "state", "health"],
      registers,
    }),
    hostUp: new Gauge({
      name: "dockhand_host_up",
      help: "1 when the host's Docker engine answered the last observation.",
      labelNames: ["host"],
      registers,
    }),
  };
}

function setDeploys(g: Gauges, stats: DeployStats | undefined): void {
  g.historyUp.set(stats ? 1 : 0);
  g.deploys.reset();
  for (const d of stats?.deploys ?? []) g.deploys.inc({ env: d.env, app: d.app, outcome: d.outcome }, d.count);
}

function setQueue(g: Gauges, status: StatusSnapshot, now: number): void {
  g.queueJobs.reset();
  const counts = status.queue?.counts ?? { active: 0, waiting: 0, delayed: 0, failed: 0 };
  for (const [state, count] of Object.entries(counts)) g.queueJobs.set({ state }, count);
  const oldest = Math.min(...(status.queue?.pending ?? []).map((j) => j.enqueuedAt));
  g.queueAge.set(Number.isFinite(oldest) ? Math.max(0, (now - oldest) / 1000) : 0);
}

function setSync(g: Gauges, status: StatusSnapshot, seen: SeenCommit[], now: number): void {
  g.syncLag.reset();
  g.syncApplied.reset();
  const envs = new Set([...status.environments.map((e) => e.env), ...seen.map((s) => s.env)]);
  for (const env of envs) {
    const applied = status.environments.find((e) => e.env === env)?.lastSync;
    if (applied) g.syncApplied.set({ env }, applied.finishedAt / 1000);
    g.syncLag.set(
      { env },
      syncLagSeconds(
        seen.find((s) => s.env === env),
        applied,
        now,
      ),
    );
  }
}

/** The newest seen commit is applied when the last sync ran it, or finished after it was seen. */
export function syncLagSeconds(
  seen: SeenCommit | undefined,
  applied: { sha: string; finishedAt: number } | undefined,
  now: number,
): number {
  if (!seen) return 0;
  if (applied && (applied.sha === seen.sha || applied.finishedAt >= seen.seenAt)) return 0;
  return Math.max(0, (now - seen.seenAt) / 1000);
}

function setContainers(g: Gauges, status: StatusSnapshot): void {
  g.containers.reset();
  g.hostUp.reset();
  const slots = status.environments.flatMap((e) => e.apps.flatMap((a) => a.slots));
  for (const host of status.hosts) {
    g.hostUp.set({ host: host.name }, host.reachable ? 1 : 0);
    const mine = slots.filter((s) => s.host === host.name);
    for (const health of ["healthy", "unhealthy", "starting", "none"] as const) {
      const n = mine.filter((s) => s.health === health).length;
      if (n > 0) g.containers.set({ host: host.name, state: "running", health }, n);
    }
    // Everything else on the host: stopped, or retired and kept for `dockhand rollback`.
    const others = host.containers - mine.length;
    if (others > 0) g.containers.set({ host: host.name, state: "stopped", health: "none" }, others);
  }
}

function setProxy(g: Gauges, traffic: ProxyTraffic | undefined): void {
  g.requests.reset();
  g.upstreamErrors.reset();
  for (const r of traffic?.requests ?? []) g.requests.inc({ env: r.env, app: r.app, code: String(r.code) }, r.count);
  for (const e of traffic?.upstreamErrors ?? []) g.upstreamErrors.inc({ env: e.env, app: e.app }, e.count);
}

/**
 * A histogram whose buckets are kept in Redis (by the deploy history), so it
 * is exposed as read rather than observed here: prom-client's Histogram can
 * only count observations made in this process.
 */
function durationHistogram(read: () => DeployStats["durations"]) {
  return {
    name: "dockhand_deploy_duration_seconds",
    help: "Duration of app rollouts (noops excluded), in seconds; kept in Redis across restarts.",
    type: "histogram",
    aggregator: "sum",
    get: async () => ({
      name: "dockhand_deploy_duration_seconds",
      help: "Duration of app rollouts (noops excluded), in seconds; kept in Redis across restarts.",
      type: "histogram",
      aggregator: "sum",
      values: read().flatMap((d) => {
        const labels = { env: d.env, app: d.app };
        return [
          ...d.buckets.map((b) => ({
            metricName: "dockhand_deploy_duration_seconds_bucket",
            labels: { ...labels, le: b.le === Number.POSITIVE_INFINITY ? "+Inf" : b.le },
            value: b.count,
          })),
          { metricName: "dockhand_deploy_duration_seconds_sum", labels, value: d.sum },
          { metricName: "dockhand_deploy_duration_seconds_count", labels, value: d.count },
        ];
      }),
    }),
  };
}
