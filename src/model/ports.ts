/**
 * Port interfaces: what the worker needs from the outside world. Adapters
 * (src/docker, src/git, src/proxy) implement them; only the composition root
 * (src/main.ts, src/cli.ts) knows the concrete classes.
 */
import type { Readable } from "node:stream";
import type { HealthSpec, HostSpec, ResourcesSpec } from "./desired-state.js";
import type { ObservedState } from "./observed-state.js";
import type { RepoSnapshot, SourcePins, SourceRef, SourceSnapshot } from "./repo-snapshot.js";
import type { AppRoute, RouteTable } from "./routes.js";

/** Everything needed to create one managed container. */
export interface ContainerSpec {
  name: string;
  image: string;
  /** Port inside the container, published on the host's bind address; absent: nothing is published (a worker). */
  port?: number;
  /** The host port `port` is published on; absent: a free one the engine picks. */
  hostPort?: number;
  environment: Record<string, string>;
  labels: Record<string, string>;
  /** Replaces the image's CMD. */
  command?: string[];
  resources?: ResourcesSpec;
  mounts?: ContainerMount[];
  /** Seconds between SIGTERM and SIGKILL on stop; the adapter's default when absent. */
  stopTimeoutSeconds?: number;
}

/** A volume as the engine mounts it: named volumes are created on first use, with `labels`. */
export type ContainerMount =
  | { kind: "volume"; source: string; target: string; readOnly: boolean; labels: Record<string, string> }
  | { kind: "bind"; source: string; target: string; readOnly: true };

/** A one-off container (a deploy hook): runs to its end, then is removed. No published port, no restarts. */
export interface OneOffSpec {
  name: string;
  image: string;
  command: string[];
  environment: Record<string, string>;
  labels: Record<string, string>;
  resources?: ResourcesSpec;
  mounts?: ContainerMount[];
}

export interface OneOffResult {
  exitCode: number;
  /** Its last lines of output, stdout and stderr interleaved. */
  output: string;
}

export interface StartedContainer {
  id: string;
  name: string;
  host: string;
  /** Absent when nothing is published (a container without a port). */
  hostPort?: number;
}

export interface LogStreamOptions {
  /** Keep streaming new lines until the container stops or `signal` aborts. */
  follow: boolean;
  /** Only lines written at or after this time (epoch ms). */
  since?: number;
  /** Only the last this many lines (before following). */
  tail?: number;
  signal?: AbortSignal;
}

export interface LogLine {
  stream: "stdout" | "stderr";
  /** Without the trailing newline. */
  text: string;
  /** When the engine recorded it (epoch ms), so lines of several containers can be merged in order. */
  time: number;
}

/** Where output of long operations (builds, image shipping) goes: the job log. */
export type LineSink = (line: string) => void;

export interface ObserveOptions {
  /** Hosts no longer in dockhand.yaml: one that shares an engine with another host was renamed, and lists nothing. */
  dropped?: readonly string[];
}

export interface DockerPort {
  /**
   * One filtered list call per host; an unreachable host is reported, never thrown. Hosts that
   * answer as one engine throw (DOCKHAND_E_PLAN): each would list the same containers.
   */
  observe(instance: string, options?: ObserveOptions): Promise<ObservedState>;
  hasImage(host: string, image: string): Promise<boolean>;
  /** Build `image` on `host` from a tar stream of the context. Throws with the build's last lines on failure. */
  build(
    host: string,
    image: string,
    context: Readable,
    dockerfile: string,
    log: LineSink,
    options?: BuildOptions,
  ): Promise<void>;
  /** Copy an image from one engine to another, streaming (save ─▶ load), no temporary file. */
  ship(image: string, from: string, to: string): Promise<void>;
  /** Pull onto `host`, with the credentials dockhand has for the image's registry. A missing image throws naming host and reference. */
  pull(host: string, image: string, log: LineSink): Promise<void>;
  /** Push `image` from `host` to its registry (the first part of the reference), with dockhand's credentials for it. */
  push(host: string, image: string, log: LineSink): Promise<void>;
  /** Create and start; resolves with the published host port. */
  run(host: string, spec: ContainerSpec): Promise<StartedContainer>;
  /**
   * Resolve once the container answers its health check; throw when `health.withinMs` passes or it dies.
   * Without a `port` (and without a HEALTHCHECK) the check is that it keeps running for `health.stableMs`.
   */
  waitHealthy(
    host: string,
    id: string,
    port: number | undefined,
    health: HealthSpec,
    signal?: AbortSignal,
  ): Promise<void>;
  start(host: string, id: string): Promise<void>;
  stop(host: string, id: string, timeoutSeconds?: number): Promise<void>;
  remove(host: string, id: string): Promise<void>;
  logsTail(host: string, id: string, lines: number): Promise<string>;
  /**
   * A container's log, line by line as the engine gives it (`dockhand logs`).
   * Resolves when the log ends: at once without `follow`, else when the
   * container stops or `signal` aborts.
   */
  streamLogs(host: string, id: string, options: LogStreamOptions, onLine: (line: LogLine) => void): Promise<void>;
  /** The published host port of a running container. */
  hostPort(host: string, id: string, port: number): Promise<number | undefined>;
  /** Rename a container (retiring it keeps it, stopped, under a name that says so). */
  rename(host: string, id: string, name: string): Promise<void>;
  /** Run a one-off container to its end (or `timeoutMs`, then it is killed); it is removed either way. */
  runOnce(host: string, spec: OneOffSpec, timeoutMs: number, signal?: AbortSignal): Promise<OneOffResult>;
  /** When the container last started and how often the engine restarted it: a promotion's proof (issue 15). */
  started?(host: string, id: string): Promise<ContainerStarts>;
  close(): Promise<void>;
}

/** `build.args` and `build.target` of an app. */
export interface BuildOptions {
  args?: Record<string, string>;
  target?: string;
}

/**
 * Reads the apps' own source repositories (`build.git`), each through its own
 * mirror: one read per sync resolves the branch head, and builds read the
 * context at exactly that commit.
 */
export interface SourceRepos {
  /** Fetch, then read the repository at `ref` (a commit, e.g. a pull request's head) or the head of `source.branch` (default: the repository's default branch). */
  read(source: SourceRef, ref?: string): Promise<SourceSnapshot>;
  /** Make a pull request's head commit `sha` readable (see RepoPort.fetchPullRequest). */
  fetchPullRequest(url: string, number: number, sha: string): Promise<void>;
  /** Whether commit `ancestor` is reachable from `descendant` (and differs from it) in that repository. */
  isAncestor(url: string, ancestor: string, descendant: string): Promise<boolean>;
  /** A tar stream of one directory of the repository at `sha`. */
  contextTar(url: string, sha: string, dir: string): Readable;
}

/** Reads the deploy repo. */
export interface RepoPort {
  /**
   * Fetch (when remote) and read the repo at `ref` (default: the tracked
   * branch), with the source repositories its apps build from at their branch
   * heads, or at the commits `pins` names. With `fetchable`, only source
   * repositories whose URL it holds are fetched; the others are recorded as
   * not fetched (a pull request's head must not make dockhand clone what it
   * names: docs/security.md).
   */
  snapshot(ref?: string, pins?: SourcePins, fetchable?: ReadonlySet<string>): Promise<RepoSnapshot>;
  /** A tar stream of one directory of the repo at `sha` (a build context). */
  contextTar(sha: string, dir: string): Readable;
  /**
   * Whether commit `ancestor` is reachable from `descendant` (and differs from
   * it), so a late sync for an older commit is not applied (issue 6). A repo
   * without history (a working directory) answers false.
   */
  isAncestor?(ancestor: string, descendant: string): Promise<boolean>;
  /** The tracked branch's head commit, after a fetch (the polling fallback). */
  head?(): Promise<string>;
  /** The tracked branch's name; a working directory has none. */
  readonly branch?: string;
  /**
   * Make pull request `number`'s head commit `sha` readable: reads fetch
   * branches only, and a fork's head is on none of them. A repo without
   * pull requests (a working directory) has no such method.
   */
  fetchPullRequest?(number: number, sha: string): Promise<void>;
  /** The apps' own source repositories (`build.git`), whose heads `snapshot` reads into `sources`. */
  readonly sources?: SourceRepos;
}

/** The shared route table every proxy serves (docs/proxy.md#the-route-table). */
export interface RouteStore {
  load(): Promise<RouteTable>;
  /** Replace one app's route atomically; returns the new table version. */
  setApp(route: AppRoute): Promise<number>;
  removeApp(env: string, app: string): Promise<number>;
  /** Called with the new table after every change (from any process). Returns an unsubscribe function. */
  subscribe(onChange: (table: RouteTable) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** One proxy's report (issue 4): the route table version it serves and its requests in flight per container. */
export interface ProxyReport {
  id: string;
  version: number;
  /** The epoch of the table served (RouteTable.epoch): versions compare only within one. */
  epoch?: string;
  /** `inFlightKey(host, container)` to requests in flight; containers with none are left out. */
  inFlight: Record<string, number>;
}

/**
 * What the proxies report through the shared store, so an executor in another
 * process knows when every proxy has seen a route change and when a draining
 * container has nothing left in flight. Proxies that stopped reporting
 * (crashed, cut off) drop out after a short time.
 */
export interface InFlightSource {
  /** The live proxies' reports; empty when none reports (e.g. nginx or Caddy drivers). */
  read(): Promise<ProxyReport[]>;
}

/** A rollout that failed at a commit: not tried again until a new commit or an explicit retry. */
export interface FailedSpec {
  app: string;
  env: string;
  specHash: string;
  /** Deploy repo commit. */
  commit: string;
  /** Epoch ms. */
  at: number;
  message: string;
}

export interface FailedSpecs {
  record(failure: FailedSpec): Promise<void>;
  /** The app's last failure, if it has not succeeded since. */
  get(env: string, app: string): Promise<FailedSpec | undefined>;
  clear(env: string, app: string): Promise<void>;
}

/** Periodic sync leaves an app alone after `dockhand rollback`, until a commit changes the app's spec. */
export interface SyncHold {
  app: string;
  env: string;
  /** The spec the deploy repo asked for when the hold was set; a different one releases the hold. */
  heldSpecHash: string;
  /** The spec the app was rolled back to. */
  specHash: string;
  /** The deploy repo commit at the time of the rollback. */
  commit: string;
  /** Epoch ms. */
  at: number;
}

export interface SyncHolds {
  set(hold: SyncHold): Promise<void>;
  get(env: string, app: string): Promise<SyncHold | undefined>;
  list(): Promise<SyncHold[]>;
  release(env: string, app: string): Promise<void>;
}

/** Secret values beside dockhand (DOCKHAND_SECRETS_DIR). Values are never logged, planned or labelled. */
export interface SecretSource {
  /** The value of one of an app's secrets in an environment, or undefined when there is none. */
  read(app: string, name: string, env?: string): Promise<string | undefined>;
  /** A keyed digest of a value, stable for this install: goes into the spec hash, says nothing of the value. */
  digest(value: string): Promise<string>;
  /** Where a secret is looked for, for the error when it is missing (never its value). */
  where(app: string, name: string, env?: string): string;
}

/**
 * The hosts of the last applied dockhand.yaml. A host removed from the file
 * is still observed (and its containers moved and removed) until nothing of
 * ours is left on it: a removed host's slots move before its containers go
 * (docs/architecture.md#where-the-code-departs-from-the-design).
 */
export interface KnownHosts {
  load(): Promise<HostSpec[]>;
  save(hosts: HostSpec[]): Promise<void>;
}

export interface ContainerStarts {
  /** Epoch ms of the last start. */
  startedAt: number;
  /** Restarts by the engine's restart policy since the container was created. */
  restarts: number;
}
