/** A RouteStore in memory, for unit tests of the executor: what a rollout wrote, in order. */
import type { AppRoute, RouteStore, RouteTable } from "../../src/model/index.js";
import { routeKey } from "../../src/model/index.js";

export class MemoryRouteStore implements RouteStore {
  private readonly routes = new Map<string, AppRoute>();
  private version = 0;
  /** Every write, as `env/app: container:state, …`. */
  readonly writes: string[] = [];

  constructor(initial: AppRoute[] = []) {
    for (const r of initial) this.routes.set(routeKey(r.env, r.app), r);
  }

  async load(): Promise<RouteTable> {
    return { version: this.version, routes: [...this.routes.values()] };
  }

  async setApp(route: AppRoute): Promise<number> {
    this.routes.set(routeKey(route.env, route.app), route);
    const upstreams = route.upstreams.map((u) => `${u.container}:${u.state}`).join(", ");
    this.writes.push(`${route.env}/${route.app}: ${upstreams || "(none)"}`);
    return ++this.version;
  }

  async removeApp(env: string, app: string): Promise<number> {
    this.routes.delete(routeKey(env, app));
    return ++this.version;
  }

  async subscribe(): Promise<() => Promise<void>> {
    return async () => undefined;
  }

  async close(): Promise<void> {}
}
