/**
 * Port interfaces: what the worker needs from the outside world. Adapters
 * (src/docker, src/git, src/proxy) implement them; only the composition root
 * (src/main.ts, src/cli.ts) knows the concrete classes.
 */
import type { Readable } from "node:stream";
import type { HealthSpec } from "./desired-state.js";
import type { ObservedState } from "./observed-state.js";
import type { RepoSnapshot } from "./repo-snapshot.js";
import type { AppRoute, RouteTable } from "./routes.js";

/** Everything needed to create one managed container. */
export interface ContainerSpec {
  name: string;
  image: string;
  /** Port inside the container, published on a free port of the host's address. */
  port: number;
  environment: Record<string, string>;
  labels: Record<string, string>;
}

export interface StartedContainer {
  id: string;
  name: string;
  host: string;
  hostPort: number;
}

/** Where output of long operations (builds, image shipping) goes: the job log. */
export type LineSink = (line: string) => void;

export interface DockerPort {
  /** One filtered list call per host; an unreachable host is reported, never thrown. */
  observe(instance: string): Promise<ObservedState>;
  hasImage(host: string, image: string): Promise<boolean>;
  /** Build `image` on `host` from a tar stream of the context. Throws with the build's last lines on failure. */
  build(host: string, image: string, context: Readable, dockerfile: string, log: LineSink): Promise<void>;
  /** Copy an image from one engine to another, streaming (save ─▶ load), no temporary file. */
  ship(image: string, from: string, to: string): Promise<void>;
  pull(host: string, image: string, log: LineSink): Promise<void>;
  /** Create and start; resolves with the published host port. */
  run(host: string, spec: ContainerSpec): Promise<StartedContainer>;
  /** Resolve once the container answers its health check; throw when `health.withinMs` passes or it dies. */
  waitHealthy(host: string, id: string, port: number, health: HealthSpec, signal?: AbortSignal): Promise<void>;
  start(host: string, id: string): Promise<void>;
  stop(host: string, id: string, timeoutSeconds?: number): Promise<void>;
  remove(host: string, id: string): Promise<void>;
  logsTail(host: string, id: string, lines: number): Promise<string>;
  /** The published host port of a running container. */
  hostPort(host: string, id: string, port: number): Promise<number | undefined>;
  close(): Promise<void>;
}

/** Reads the deploy repo. */
export interface RepoPort {
  /** Fetch (when remote) and read the repo at `ref` (default: the tracked branch). */
  snapshot(ref?: string): Promise<RepoSnapshot>;
  /** A tar stream of one directory of the repo at `sha` (a build context). */
  contextTar(sha: string, dir: string): Readable;
}

/** The shared route table every proxy serves (DESIGN.md, "Proxy"). */
export interface RouteStore {
  load(): Promise<RouteTable>;
  /** Replace one app's route atomically; returns the new table version. */
  setApp(route: AppRoute): Promise<number>;
  removeApp(env: string, app: string): Promise<number>;
  /** Called with the new table after every change (from any process). Returns an unsubscribe function. */
  subscribe(onChange: (table: RouteTable) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
