import type { AppRoute, HostSpec, ObservedContainer, RouteStore, Upstream } from "../../model/index.js";

/**
 * One app's entry in the route table, edited step by step during its rollout
 * and written through to the store after every change, so a proxy never
 * routes to a container the executor has not yet declared healthy, and a crash
 * leaves the table as it was at the last finished step.
 */
export class AppRouteEditor {
  private route: AppRoute;

  constructor(
    private readonly store: RouteStore,
    private readonly hosts: ReadonlyMap<string, HostSpec>,
    initial: AppRoute,
    /** Hosts found unreachable during this run: their upstreams never go back into the route. */
    private readonly lost: ReadonlySet<string> = new Set(),
  ) {
    this.route = { ...initial, upstreams: [...initial.upstreams] };
  }

  /**
   * Starts from what really runs: the running, published containers of the
   * app that the stored entry already routes (at their current ports) are
   * active upstreams. This heals a table whose ports went stale. A running
   * container the entry does not know never passed its health gate (a crash
   * between start and route-in): it is not routed, and the plan replaces it.
   * With no stored entry at all (a lost table), every running container is.
   */
  static fromObserved(
    store: RouteStore,
    hosts: ReadonlyMap<string, HostSpec>,
    app: { app: string; env: string; hostnames: string[] },
    containers: ObservedContainer[],
    lost?: ReadonlySet<string>,
    stored?: AppRoute,
  ): AppRouteEditor {
    const editor = new AppRouteEditor(store, hosts, { ...app, upstreams: [] }, lost);
    const known = stored ? new Set(stored.upstreams.map((u) => `${u.host}/${u.container}`)) : undefined;
    for (const c of containers) {
      const confirmed = known === undefined || known.has(`${c.host}/${c.name}`);
      if (
        c.state === "running" &&
        c.hostPort !== undefined &&
        hosts.has(c.host) &&
        c.retiredAt === undefined &&
        confirmed
      ) {
        editor.upsert(c.host, c.name, c.hostPort, "active");
      }
    }
    return editor;
  }

  get current(): AppRoute {
    return { ...this.route, upstreams: [...this.route.upstreams] };
  }

  async addActive(host: string, container: string, port: number): Promise<void> {
    this.upsert(host, container, port, "active");
    await this.write();
  }

  /** Returns the table version that carries the change, for waiting until every proxy serves it. */
  // Upstreams are matched by host and name: names are unique per engine only, and a slot moving
  // between hosts keeps its name (same app, env, slot and spec).
  async markDraining(host: string, container: string): Promise<number> {
    this.route.upstreams = this.route.upstreams.map((u) =>
      u.host === host && u.container === container ? { ...u, state: "draining" } : u,
    );
    return this.write();
  }

  /** Nothing is routed to a lost host's containers once it is known lost (issue 4). */
  async dropHost(host: string): Promise<void> {
    const before = this.route.upstreams.length;
    this.route.upstreams = this.route.upstreams.filter((u) => u.host !== host);
    if (this.route.upstreams.length !== before) await this.write();
  }

  async drop(host: string, container: string): Promise<void> {
    const before = this.route.upstreams.length;
    this.route.upstreams = this.route.upstreams.filter((u) => u.host !== host || u.container !== container);
    if (this.route.upstreams.length !== before) await this.write();
  }

  async setHostnames(hostnames: string[]): Promise<void> {
    this.route.hostnames = [...hostnames];
    await this.write();
  }

  /** Writes the entry when the stored one differs: heals a lost or stale table without needless version bumps. */
  async heal(stored: AppRoute | undefined): Promise<void> {
    if (stored === undefined || canonical(stored) !== canonical(this.route)) await this.write();
  }

  async write(): Promise<number> {
    if (this.lost.size > 0) this.route.upstreams = this.route.upstreams.filter((u) => !this.lost.has(u.host));
    return this.store.setApp(this.current);
  }

  private upsert(host: string, container: string, port: number, state: Upstream["state"]): void {
    const address = this.hosts.get(host)?.address;
    if (address === undefined) throw new Error(`no address for host ${host}`);
    const upstream: Upstream = { host, address, port, container, state };
    const others = this.route.upstreams.filter((u) => u.host !== host || u.container !== container);
    this.route.upstreams = [...others, upstream].sort(
      (a, b) => a.container.localeCompare(b.container) || a.host.localeCompare(b.host),
    );
  }
}

function canonical(route: AppRoute): string {
  const upstreams = [...route.upstreams].sort((a, b) => a.container.localeCompare(b.container));
  return JSON.stringify([route.app, route.env, [...route.hostnames].sort(), upstreams]);
}
