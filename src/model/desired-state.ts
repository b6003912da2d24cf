/**
 * What the deploy repo asks for, after parsing and validation (src/config).
 * Plain data: JSON-serialisable, no classes, so plans and tests can carry it.
 */

export interface TlsFiles {
  /** Paths (on the dockhand machine) of the CA, client certificate and key. */
  ca: string;
  cert: string;
  key: string;
}

export interface HostSpec {
  name: string;
  /** `local` (DOCKER_HOST or the default socket), `unix:///path.sock`, `tcp://host:port` or `ssh://user@host[:port]`. */
  docker: string;
  tls?: TlsFiles;
  /** With `ssh://`: the engine's socket on that machine; absent means /var/run/docker.sock. */
  socket?: string;
  /** Address at which this host's published container ports are reachable from the proxy. */
  address: string;
  /**
   * The one IP published container ports listen on (Docker's HostIp): dockhand.yaml's
   * `bindAddress`, else `address`; an IP literal as the engine spells it (`canonicalIp`).
   */
  bind: string;
  /** Most dockhand-managed containers this host may run, across all apps and environments. */
  capacity: number;
  labels: Record<string, string>;
}

export const PROXY_DRIVERS = ["builtin", "nginx", "caddy"] as const;
export type ProxyDriver = (typeof PROXY_DRIVERS)[number];

export interface ProxySpec {
  driver: ProxyDriver;
  /** `host:port` the proxy listens on. */
  listen: string;
  /** HTTPS for the app hostnames; config checks that exactly one of certificates (builtin) and acme (Caddy) is set. */
  tls?: ProxyTlsSpec;
}

export interface ProxyTlsSpec {
  /** `host:port` HTTPS listens on. */
  listen: string;
  /** Certificate files, chosen by SNI (built-in proxy). */
  certificates?: Array<{ cert: string; key: string }>;
  /** Plain-HTTP requests for served hostnames get a redirect to https (built-in proxy). */
  redirect: boolean;
  /** Certificates from an ACME server for every exact app hostname (Caddy). */
  acme?: ProxyAcmeSpec;
}

export interface ProxyAcmeSpec {
  /** The ACME directory URL. */
  ca: string;
  email?: string;
  /** PEM files of roots that sign the ACME server's own HTTPS certificate (a private CA). */
  trustedRoots?: string[];
}

export interface BuildSpec {
  /** Directory in the repo built from (the deploy repo, or `git`), relative to its root, e.g. `services/web`. */
  context: string;
  /** Dockerfile path relative to the context. */
  dockerfile: string;
  /** Content hash of the context directory (git's tree hash), so an unchanged context is never rebuilt. */
  contextHash: string;
  /** `--build-arg`s; part of the image tag. */
  args?: Record<string, string>;
  /** Multi-stage target; part of the image tag. */
  target?: string;
  /** The app's own source repository (`build.git`), at the commit its branch pointed to when the sync read it. */
  git?: BuildSource;
  /** Set when `git` could not be fetched this time: why. The app cannot be planned; what runs stays. */
  unavailable?: string;
}

export interface BuildSource {
  url: string;
  branch: string;
  sha: string;
}

export interface HealthSpec {
  /** HTTP path probed on the container's port; undefined means a TCP connect. */
  path?: string;
  /** Timeout of one probe. */
  timeoutMs: number;
  /** The container must be healthy within this time or the rollout fails. */
  withinMs: number;
  /** After passing, the container must stay up (running, not restarted, not unhealthy) this long; absent means 0. */
  stableMs?: number;
}

/**
 * How a slot is replaced: `start-first` starts the new container, then stops
 * the old (no gap in service); `recreate` stops the old, then starts the new
 * (never two containers of one slot at once: one per-slot volume, one fixed port).
 */
export const ROLLOUT_STRATEGIES = ["start-first", "recreate"] as const;
export type RolloutStrategy = (typeof ROLLOUT_STRATEGIES)[number];

export interface RolloutSpec {
  /** Slots rolled at once. */
  batch: number;
  /** Absent means `start-first` (src/config always sets it; hand-built specs may leave it out). */
  strategy?: RolloutStrategy;
  /** How long a routed-out container keeps serving its in-flight requests before it is stopped. */
  drainMs: number;
  /** Retired specs (versions) whose stopped containers are kept for `dockhand rollback`; absent means 3. */
  retain?: number;
}

/** Limits of each container of an app; absent members are not limited. */
export interface ResourcesSpec {
  memoryBytes?: number;
  /** Fraction of CPUs, as `docker run --cpus`. */
  cpus?: number;
}

/**
 * A volume mounted into each container. `volume`: a named volume, one per slot
 * (`<app>-<env>-<name>-<slot>`) unless `shared` (one per host, `<app>-<env>-<name>`).
 * `bind`: a directory of the host, always read-only.
 */
export type VolumeSpec =
  | { kind: "volume"; name: string; target: string; shared: boolean; readOnly: boolean }
  | { kind: "bind"; source: string; target: string };

export interface HooksSpec {
  /** Run as a one-off container of the new image (same env and secrets) before any slot rolls. */
  beforeDeploy?: string[];
  /** Longest a hook may run. */
  timeoutMs: number;
}

export interface PlacementSpec {
  /** Eligible host names; undefined means every host. */
  hosts?: string[];
  /** Eligible hosts must carry all of these labels. */
  labels?: Record<string, string>;
  /**
   * A slot with per-slot volumes may move to another host (its volume does not
   * move with it: the new container starts on an empty one). Absent: such a move is a plan error.
   */
  allowDataMove?: boolean;
}

export interface AppSpec {
  name: string;
  /** A long-lived environment (`production`, `staging`), or `pr-<n>` for a preview. */
  env: string;
  /** Deploy-repo file this app came from, for error messages (`apps/web.yaml`). */
  file: string;
  /** The image every slot runs: the `image:` reference, or the tag dockhand gives a build. */
  image: string;
  build?: BuildSpec;
  replicas: number;
  /** Port the container listens on; absent for a worker, which is neither published nor routed. */
  port?: number;
  /** Publish `port` on this fixed port of the host's bind address (not a free one the engine picks); at most one slot per host. */
  hostPort?: number;
  hostnames: string[];
  /** Env vars as written, `$$` read as `$`; vars whose values reference other apps are in `envRefs` instead. */
  environment: Record<string, string>;
  /**
   * Env vars whose values name other apps (`${apps.db.host}`), as parts. The
   * planner resolves them from placement into `environment` (a plan's spec
   * carries the resolved values, and a spec hash over them).
   */
  envRefs?: Record<string, EnvPart[]>;
  health: HealthSpec;
  rollout: RolloutSpec;
  placement: PlacementSpec;
  /** Names of secrets injected as env vars; the values live beside dockhand (DOCKHAND_SECRETS_DIR), never here. */
  secrets?: string[];
  hooks?: HooksSpec;
  resources?: ResourcesSpec;
  volumes?: VolumeSpec[];
  /** Replaces the image's CMD. */
  command?: string[];
  /** Time between SIGTERM and SIGKILL when a container stops; absent means the Docker adapter's default (10 s). */
  stopTimeoutMs?: number;
  /** Pull requests get a preview of this app (one replica at `<app>-pr-<n>.<previews.domain>`); absent means none. */
  previews?: AppPreviewsSpec;
  /** Hash of everything that shapes the container (see `computeSpecHash`): a change means a new container. */
  specHash: string;
  /** Short digest per field of the spec (`image`, `port`, `env.GREETING`): lets a plan name what changed without values. */
  specFields: Record<string, string>;
}

/** What `${apps.<app>.<field>}` reads: slot 0's host address, the app's hostPort, or `address:hostPort` of every slot. */
export const ENV_REF_FIELDS = ["host", "port", "endpoints"] as const;
export type EnvRefField = (typeof ENV_REF_FIELDS)[number];

/** A piece of an env value: literal text, or a reference to another app of the same environment. */
export type EnvPart = string | { app: string; field: EnvRefField };

/** An app's previews, as the tracked branch sets them: a pull request's head never decides these. */
export interface AppPreviewsSpec {
  enabled: boolean;
  /**
   * Secrets a preview gets (resolved like the app's own). A preview runs a
   * stranger's code, so it gets none of the app's `secrets` unless named here.
   */
  secrets?: string[];
}

export interface RepoSource {
  /** Where the deploy repo came from: a URL, or a path on disk. */
  repo: string;
  /** The commit, or `worktree` for an uncommitted directory. */
  sha: string;
}

/** Preview environments for pull requests (dockhand.yaml `previews`); absent means none. */
export interface PreviewsSpec {
  /** Previews are served at `<app>-pr-<n>.<domain>`. */
  domain: string;
  /** A preview without a push for this long is torn down. */
  ttlMs: number;
  maxActive: number;
  allowForks: boolean;
  /** The environment previews are planned against and take their apps from; src/config always sets it. */
  base?: string;
}

/**
 * A long-lived environment (dockhand.yaml `environments`). One follows the
 * tracked branch; one with `promote` deploys only commits its source
 * environment ran healthy (after a while, or when someone promotes them).
 */
export interface EnvironmentSpec {
  name: string;
  promote?: PromoteSpec;
}

export interface PromoteSpec {
  from: string;
  /** How long every app of `from` must run a commit healthy before it is promoted; absent with `manual`. */
  afterMs?: number;
  /** Promotion waits for `dockhand promote` or the API. */
  manual?: boolean;
}

/**
 * The registry builds go through (dockhand.yaml `registry`): built once,
 * pushed once as `<address>/<namespace>/<app>:<tag>`, pulled by every other
 * host. Credentials live beside dockhand, never here. Absent: images are
 * streamed engine to engine.
 */
export interface RegistrySpec {
  /** `host[:port]`, e.g. `registry.example.com:5000`. */
  address: string;
  /** Repository path under the address, e.g. `acme` (may hold slashes: `acme/web-team`). */
  namespace: string;
}

export interface StatusSpec {
  /** Branch of the deploy repo where dockhand records what runs where. */
  branch: string;
}

export interface DesiredState {
  source: RepoSource;
  hosts: HostSpec[];
  proxy: ProxySpec;
  apps: AppSpec[];
  previews?: PreviewsSpec;
  registry?: RegistrySpec;
  /** Always set by src/config (with its default branch); optional so hand-built states stay short. */
  status?: StatusSpec;
  /**
   * In order of dockhand.yaml; always set by src/config (`production` alone when
   * the file names none). Absent in hand-built states means `production` alone.
   */
  environments?: EnvironmentSpec[];
}
