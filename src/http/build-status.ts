/**
 * The status snapshot from its parts (pure: data in, data out), so the CLI,
 * the API and the dashboard agree on what "healthy" and "running" mean.
 */
import type {
  AppLastOutcome,
  AppSpec,
  CurrentDeploy,
  DeployRecord,
  DesiredState,
  ObservedContainer,
  ObservedState,
  SyncRecord,
} from "../model/index.js";
import type {
  AppHealth,
  AppStatus,
  EnvironmentStatus,
  HistoryAvailability,
  HoldStatus,
  HostStatus,
  PreviewStatus,
  QueueSnapshot,
  SlotStatus,
  StatusSnapshot,
} from "./status-types.js";

export interface HistoryView {
  current: CurrentDeploy[];
  recent: DeployRecord[];
  lastOutcomes: AppLastOutcome[];
  lastSyncs: SyncRecord[];
}

export interface StatusInput {
  instance: string;
  now: number;
  desired?: DesiredState;
  desiredError?: string;
  observed: ObservedState;
  /** Absent when Redis could not be reached; `historyError` then says why. */
  history?: HistoryView;
  historyError?: string;
  queue?: QueueSnapshot;
  holds?: HoldStatus[];
  previews?: PreviewStatus[];
}

const key = (env: string, app: string) => `${env}/${app}`;

export function buildStatus(input: StatusInput): StatusSnapshot {
  const containers = input.observed.hosts.flatMap((h) => h.containers);
  const unreachable = new Set(input.observed.hosts.filter((h) => !h.reachable).map((h) => h.name));
  const specs = new Map((input.desired?.apps ?? []).map((a) => [key(a.env, a.name), a]));
  const outcomes = new Map((input.history?.lastOutcomes ?? []).map((o) => [key(o.env, o.app), o]));
  const holds = new Map((input.holds ?? []).map((h) => [key(h.env, h.app), h]));
  const addresses = new Map((input.desired?.hosts ?? []).map((h) => [h.name, h.address]));
  const names = new Set<string>([...specs.keys(), ...containers.map((c) => key(c.env, c.app))]);
  const apps = [...names].sort(compareKeys).map((k) => {
    const [env = "", app = ""] = k.split("/");
    return appStatus(app, env, {
      spec: specs.get(k),
      containers: containers.filter((c) => c.app === app && c.env === env),
      unreachable,
      desiredKnown: input.desired !== undefined,
      lastOutcome: outcomes.get(k),
      hold: holds.get(k),
      addresses,
    });
  });
  return {
    generatedAt: input.now,
    instance: input.instance,
    ...(input.desired ? { source: input.desired.source } : {}),
    ...(input.desiredError ? { desiredError: input.desiredError } : {}),
    history: availability(input),
    hosts: input.observed.hosts.map(hostStatus),
    environments: environments(apps, input.history?.lastSyncs ?? []),
    deploys: { current: input.history?.current ?? [], recent: input.history?.recent ?? [] },
    ...(input.queue ? { queue: input.queue } : {}),
    holds: input.holds ?? [],
    configErrors: (input.history?.lastSyncs ?? [])
      .filter((s) => s.error?.code === "DOCKHAND_E_CONFIG")
      .map((s) => ({ env: s.env, sha: s.sha, message: s.error?.message ?? "", issues: s.error?.issues ?? [] })),
    previews: [...(input.previews ?? [])].sort((a, b) => a.env.localeCompare(b.env, "en", { numeric: true })),
  };
}

/** production first, then previews by number, then the rest by name. */
function compareKeys(a: string, b: string): number {
  const rank = (k: string) => (k.startsWith("production/") ? 0 : 1);
  return rank(a) - rank(b) || a.localeCompare(b, "en", { numeric: true });
}

function availability(input: StatusInput): HistoryAvailability {
  if (input.history) return { available: true };
  return { available: false, reason: input.historyError ?? "the deploy history was not read" };
}

function hostStatus(host: ObservedState["hosts"][number]): HostStatus {
  return {
    name: host.name,
    reachable: host.reachable,
    ...(host.error ? { error: host.error } : {}),
    containers: host.containers.length,
    running: host.containers.filter((c) => c.state === "running").length,
  };
}

function environments(apps: AppStatus[], syncs: SyncRecord[]): EnvironmentStatus[] {
  const envs = [...new Set([...apps.map((a) => a.env), ...syncs.map((s) => s.env)])];
  return envs.map((env) => {
    const lastSync = syncs.find((s) => s.env === env);
    return { env, apps: apps.filter((a) => a.env === env), ...(lastSync ? { lastSync } : {}) };
  });
}

interface AppParts {
  spec?: AppSpec;
  containers: ObservedContainer[];
  unreachable: Set<string>;
  desiredKnown: boolean;
  lastOutcome?: AppLastOutcome;
  hold?: HoldStatus;
  /** Host name ─▶ address, from dockhand.yaml. */
  addresses: ReadonlyMap<string, string>;
}

function appStatus(app: string, env: string, parts: AppParts): AppStatus {
  // A retired container (kept for `dockhand rollback`) serves no slot, even while it still runs.
  const running = parts.containers.filter((c) => c.state === "running" && c.retiredAt === undefined);
  const slots = running
    .map((c) => slotStatus(c, parts.spec))
    .sort((a, b) => a.slot - b.slot || a.host.localeCompare(b.host));
  return {
    app,
    env,
    ...(parts.spec ? { desiredReplicas: parts.spec.replicas } : {}),
    runningReplicas: running.length,
    stoppedContainers: parts.containers.length - running.length,
    hosts: [...new Set(running.map((c) => c.host))].sort(),
    hostnames: parts.spec?.hostnames ?? [],
    ...roleOf(parts, slots),
    health: appHealth(parts, running),
    commits: byFrequency(running.map((c) => c.commit)),
    slots,
    ...(parts.lastOutcome ? { lastOutcome: parts.lastOutcome } : {}),
    ...(parts.hold ? { hold: parts.hold } : {}),
  };
}

/** A worker publishes nothing; an app on a fixed host port is reached at its hosts' addresses on it. */
function roleOf(parts: AppParts, slots: SlotStatus[]): Pick<AppStatus, "role" | "endpoints"> {
  const spec = parts.spec;
  if (!spec) return {};
  if (spec.port === undefined) return { role: "worker" };
  if (spec.hostPort === undefined) return { role: "web" };
  const endpoints = slots.map((s) => {
    const address = parts.addresses.get(s.host) ?? s.host;
    return `${address.includes(":") ? `[${address}]` : address}:${s.hostPort ?? spec.hostPort}`;
  });
  return { role: "fixed", endpoints };
}

function slotStatus(c: ObservedContainer, spec: AppSpec | undefined): SlotStatus {
  return {
    slot: c.slot,
    host: c.host,
    container: c.name,
    id: c.id,
    state: c.state,
    health: c.health,
    commit: c.commit,
    specHash: c.specHash,
    ...(c.hostPort === undefined ? {} : { hostPort: c.hostPort }),
    current: spec !== undefined && c.specHash === spec.specHash,
  };
}

function appHealth(parts: AppParts, running: ObservedContainer[]): AppHealth {
  const mayRunOn = parts.spec?.placement.hosts ?? [...parts.unreachable];
  if (mayRunOn.some((h) => parts.unreachable.has(h))) return "unknown";
  const desired = parts.spec?.replicas ?? (parts.desiredKnown ? 0 : running.length);
  if (desired > 0 && running.length === 0) return "down";
  const sick = running.some((c) => c.health === "unhealthy" || c.health === "starting");
  return running.length < desired || sick ? "degraded" : "healthy";
}

function byFrequency(values: string[]): string[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([v]) => v);
}
