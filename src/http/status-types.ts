/**
 * The status of an install as `dockhand status --json`, `GET /api/status` and
 * the dashboard show it: what runs where against what the deploy repo asks,
 * the deploys, the queue, holds and the last sync's config errors.
 */
import type {
  AppLastOutcome,
  ConfigIssue,
  ContainerHealth,
  ContainerState,
  CurrentDeploy,
  DeployRecord,
  RepoSource,
  SyncRecord,
  SyncTrigger,
} from "../model/index.js";

/** healthy: every desired replica runs and none is unhealthy; unknown: a host it may run on could not be observed. */
export type AppHealth = "healthy" | "degraded" | "down" | "unknown";

export interface SlotStatus {
  slot: number;
  host: string;
  container: string;
  id: string;
  state: ContainerState;
  health: ContainerHealth;
  commit: string;
  specHash: string;
  hostPort?: number;
  /** Whether it runs the spec the deploy repo asks for now (false: an older spec, or the repo was not read). */
  current: boolean;
}

/** What an app serves: its hostnames through the proxy (`web`), a fixed host port (`fixed`), nothing (`worker`, no port). */
export type AppRole = "web" | "fixed" | "worker";

export interface AppStatus {
  app: string;
  env: string;
  /** Undefined when the app is not in the deploy repo. */
  role?: AppRole;
  /** `address:hostPort` of each running slot of a `fixed` app, by slot: where other apps reach it. */
  endpoints?: string[];
  /** Undefined when the app is not in the deploy repo (it is being removed, or the repo was not read). */
  desiredReplicas?: number;
  runningReplicas: number;
  /** Stopped containers kept (for `dockhand rollback`). */
  stoppedContainers: number;
  hosts: string[];
  hostnames: string[];
  health: AppHealth;
  /** Commits of the running containers, most containers first. */
  commits: string[];
  /** Running containers, by slot. */
  slots: SlotStatus[];
  lastOutcome?: AppLastOutcome;
  hold?: HoldStatus;
}

export interface EnvironmentStatus {
  env: string;
  apps: AppStatus[];
  lastSync?: SyncRecord;
}

export interface HostStatus {
  name: string;
  reachable: boolean;
  error?: string;
  containers: number;
  running: number;
}

export interface QueueJobView {
  id: string;
  env: string;
  trigger: SyncTrigger;
  sha?: string;
  delivery?: string;
  /** Epoch ms. */
  enqueuedAt: number;
  startedAt?: number;
}

export interface QueueSnapshot {
  running: QueueJobView[];
  pending: QueueJobView[];
  counts: { active: number; waiting: number; delayed: number; failed: number };
}

/** An app held at a version by `dockhand rollback`: syncs leave it alone until released. */
export interface HoldStatus {
  app: string;
  env: string;
  /** The commit (or spec) it is held at, when the hold says. */
  at?: string;
  reason?: string;
  since?: number;
  by?: string;
}

export interface PreviewStatus {
  env: string;
  apps: string[];
  urls: string[];
  expiresAt?: number;
}

/** Whether the Redis-backed parts (deploy history, queue, holds) could be read. */
export interface HistoryAvailability {
  available: boolean;
  /** Why not, e.g. "no Redis at .dockhand/redis/redis.sock". */
  reason?: string;
}

export interface StatusSnapshot {
  generatedAt: number;
  instance: string;
  /** The deploy repo commit whose desired state is compared; absent when it could not be read. */
  source?: RepoSource;
  /** Why the desired state is missing (repo unreadable, config invalid). */
  desiredError?: string;
  history: HistoryAvailability;
  hosts: HostStatus[];
  environments: EnvironmentStatus[];
  deploys: { current: CurrentDeploy[]; recent: DeployRecord[] };
  queue?: QueueSnapshot;
  holds: HoldStatus[];
  /** The config errors of the last sync of each environment (empty when it validated). */
  configErrors: Array<{ env: string; sha: string; message: string; issues: ConfigIssue[] }>;
  previews: PreviewStatus[];
}
