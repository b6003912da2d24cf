/**
 * The route table: which containers serve which hostnames. Kept per app so a
 * rollout of one app swaps only that app's entry, atomically.
 */

export type UpstreamState = "active" | "draining";

export interface Upstream {
  host: string;
  address: string;
  port: number;
  /** Container name. */
  container: string;
  state: UpstreamState;
}

export interface AppRoute {
  app: string;
  env: string;
  hostnames: string[];
  upstreams: Upstream[];
}

export interface RouteTable {
  /**
   * A random id the route store sets when it creates the table (a wiped Redis makes a new one). Versions
   * count within one epoch: a proxy takes a table of another epoch whatever its version.
   */
  epoch?: string;
  /** Increases with every change, so proxies can tell a stale table from a new one. */
  version: number;
  routes: AppRoute[];
}

export function routeKey(env: string, app: string): string {
  return `${env}/${app}`;
}
