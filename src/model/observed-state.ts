import type { RouteTable } from "./routes.js";

/**
 * What really runs, as read from the Docker engines (src/docker). Docker is the
 * source of truth: nothing about a rollout lives only in memory.
 */

export type ContainerState = "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";

/** `none` when the image has no HEALTHCHECK: dockhand then probes it itself. */
export type ContainerHealth = "healthy" | "unhealthy" | "starting" | "none";

export interface ObservedContainer {
  id: string;
  name: string;
  host: string;
  app: string;
  env: string;
  slot: number;
  specHash: string;
  /** From the `dockhand.spec.fields` label; absent on containers made before it existed. */
  specFields?: Record<string, string>;
  commit: string;
  image: string;
  state: ContainerState;
  health: ContainerHealth;
  /** Host port that publishes the app's port; undefined when not published (e.g. stopped). */
  hostPort?: number;
  /**
   * The host IPs that port listens on, as the engine reports them (`0.0.0.0` and `::` for
   * every interface); undefined when not published. Compared with the host's `bind`.
   */
  publishedOn?: string[];
  /** Epoch milliseconds, as Docker reports it. */
  createdAt: number;
  /**
   * Set on a container a rollout retired and kept, stopped, for `dockhand
   * rollback` (epoch ms, from its name: see `retiredName`). It serves no slot.
   */
  retiredAt?: number;
}

export interface ObservedHost {
  name: string;
  reachable: boolean;
  /**
   * Which engine answered: `docker info`'s ID, name and data root (the ID alone
   * is shared by daemons that share /etc/docker/key.json, e.g. two on one machine).
   * Two hosts with the same are one engine under two names. Set when reachable.
   */
  engine?: string;
  /** Why the host could not be observed. */
  error?: string;
  containers: ObservedContainer[];
  /** Image references (repo:tag) present on the host, so the planner knows what must be built, shipped or pulled. */
  images: string[];
}

export interface ObservedState {
  hosts: ObservedHost[];
  /** The route table as stored, when known; lets the planner see hostname-only changes. */
  routes?: RouteTable;
}
