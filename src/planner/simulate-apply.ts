import type {
  AppChange,
  AppRoute,
  ObservedContainer,
  ObservedHost,
  ObservedState,
  Plan,
  RouteTable,
  Step,
} from "../model/index.js";
import { DockhandError, routeKey } from "../model/index.js";
import { normalizeImageRef } from "./image-ref.js";

interface SimHost {
  host: ObservedHost;
  byName: Map<string, ObservedContainer>;
}

interface Sim {
  hosts: Map<string, SimHost>;
  routes: Map<string, AppRoute> | undefined;
  healthy: Set<string>;
  clock: number;
  sha: string;
}

/**
 * What the observed state would be after every step of `plan` succeeded, as
 * an engine and route store would see it. Strict like the real thing: it
 * throws when a step could not run (an image missing on the host, a container
 * name taken, removing a running container, stopping one still routed, a step
 * on an unreachable host), so tests can check plans for more than their shape.
 * Apps with an error are skipped, as the executor skips them.
 */
export function simulateApply(observed: ObservedState, plan: Plan): ObservedState {
  const sim: Sim = {
    hosts: new Map(),
    routes: observed.routes
      ? new Map(observed.routes.routes.map((r) => [routeKey(r.env, r.app), cloneRoute(r)]))
      : undefined,
    healthy: new Set(),
    clock: 1,
    sha: plan.source.sha,
  };
  for (const h of observed.hosts) {
    const host = { ...h, containers: [...h.containers], images: [...h.images] };
    sim.hosts.set(h.name, { host, byName: new Map(h.containers.map((c) => [c.name, c])) });
    for (const c of h.containers) sim.clock = Math.max(sim.clock, c.createdAt + 1);
  }
  for (const change of plan.changes) {
    if (change.error !== undefined) continue;
    if (change.kind !== "delete") healRoute(sim, change);
    change.steps.forEach((step, i) => {
      try {
        applyStep(sim, change, step);
      } catch (err) {
        const what = `${change.app} (${change.env}) step ${i + 1} ${step.kind}`;
        throw new DockhandError("DOCKHAND_E_PLAN", `simulated apply: ${what}: ${(err as Error).message}`);
      }
    });
  }
  const hosts = [...sim.hosts.values()].map(({ host, byName }) => ({ ...host, containers: [...byName.values()] }));
  if (!sim.routes || !observed.routes) return { hosts };
  const routes = [...sim.routes.values()].filter((r) => r.hostnames.length > 0 || r.upstreams.length > 0);
  const table: RouteTable = { version: observed.routes.version + 1, routes };
  return { hosts, routes: table };
}

function applyStep(sim: Sim, change: AppChange, step: Step): void {
  switch (step.kind) {
    case "build":
    case "pull":
      addImage(reachable(sim, step.host), step.image);
      return;
    case "push":
      if (!hasImage(reachable(sim, step.host), step.image)) throw new Error(`${step.host} lacks ${step.image}`);
      return;
    case "ship":
      if (!hasImage(reachable(sim, step.from), step.image)) throw new Error(`${step.from} lacks ${step.image}`);
      addImage(reachable(sim, step.to), step.image);
      return;
    case "start":
      start(sim, change, step.container);
      return;
    case "waitHealthy":
      if (container(sim, step.container).state !== "running") throw new Error(`${step.container.name} is not running`);
      sim.healthy.add(`${step.container.host}/${step.container.name}`);
      return;
    case "routeIn":
      routeIn(sim, change, step.container);
      return;
    case "routeOut":
      container(sim, step.container);
      routeOut(sim, change, step.container);
      return;
    case "drain":
    case "stop":
      if (isRouted(sim, change, step.container)) throw new Error(`${step.container.name} is still routed`);
      if (step.kind === "stop") container(sim, step.container).state = "exited";
      return;
    case "remove":
      remove(sim, step.container);
      return;
    case "setHostnames":
      setHostnames(sim, change, step.hostnames);
      return;
  }
}

function start(sim: Sim, change: AppChange, ref: { host: string; name: string; slot: number }): void {
  const host = reachable(sim, ref.host);
  const spec = change.spec;
  if (!spec) throw new Error("start without a spec");
  if (!hasImage(host, spec.image)) throw new Error(`${ref.host} lacks image ${spec.image}`);
  if (host.byName.has(ref.name)) throw new Error(`container name ${ref.name} already in use on ${ref.host}`);
  if (spec.rollout.strategy === "recreate") {
    const twin = [...host.byName.values()].find(
      (c) => c.app === change.app && c.env === change.env && c.slot === ref.slot && c.state === "running",
    );
    if (twin) throw new Error(`${twin.name} of slot ${ref.slot} still runs on ${ref.host} (recreate)`);
  }
  const c: ObservedContainer = {
    id: `sim-${ref.host}-${ref.name}`,
    name: ref.name,
    host: ref.host,
    app: change.app,
    env: change.env,
    slot: ref.slot,
    specHash: spec.specHash,
    specFields: spec.specFields,
    commit: sim.sha,
    image: spec.image,
    state: "running",
    health: "healthy",
    createdAt: sim.clock++,
  };
  host.byName.set(ref.name, c);
}

function routeIn(sim: Sim, change: AppChange, ref: { host: string; name: string }): void {
  if (!sim.healthy.has(`${ref.host}/${ref.name}`)) throw new Error(`${ref.name} routed in before waitHealthy`);
  container(sim, ref);
  if (!sim.routes) return;
  const key = routeKey(change.env, change.app);
  const route = sim.routes.get(key) ?? { app: change.app, env: change.env, hostnames: [], upstreams: [] };
  route.upstreams.push({ host: ref.host, address: ref.host, port: 0, container: ref.name, state: "active" });
  sim.routes.set(key, route);
}

/**
 * What the executor does before an app's steps (AppRouteEditor.fromObserved):
 * the entry routes the app's running containers that it already knew, or all
 * of them when there was no entry.
 */
function healRoute(sim: Sim, change: AppChange): void {
  if (!sim.routes) return;
  const key = routeKey(change.env, change.app);
  const stored = sim.routes.get(key);
  const known = stored && new Set(stored.upstreams.map((u) => `${u.host}/${u.container}`));
  const upstreams: AppRoute["upstreams"] = [];
  for (const { host, byName } of sim.hosts.values()) {
    if (!host.reachable) continue;
    for (const c of byName.values()) {
      const mine = c.app === change.app && c.env === change.env && c.retiredAt === undefined;
      if (!mine || c.state !== "running" || (known && !known.has(`${c.host}/${c.name}`))) continue;
      upstreams.push({ host: c.host, address: c.host, port: c.hostPort ?? 0, container: c.name, state: "active" });
    }
  }
  sim.routes.set(key, { app: change.app, env: change.env, hostnames: stored?.hostnames ?? [], upstreams });
}

function routeOut(sim: Sim, change: AppChange, ref: { host: string; name: string }): void {
  const route = sim.routes?.get(routeKey(change.env, change.app));
  if (route) route.upstreams = route.upstreams.filter((u) => u.host !== ref.host || u.container !== ref.name);
}

/** Whether a proxy could send it requests: it is an upstream of a route that has hostnames. */
function isRouted(sim: Sim, change: AppChange, ref: { host: string; name: string }): boolean {
  const route = sim.routes?.get(routeKey(change.env, change.app));
  if (!route || route.hostnames.length === 0) return false;
  return route.upstreams.some((u) => u.host === ref.host && u.container === ref.name);
}

function remove(sim: Sim, ref: { host: string; id: string; name: string }): void {
  const c = container(sim, ref);
  if (c.state === "running" || c.state === "restarting" || c.state === "paused") {
    throw new Error(`${ref.name} removed while ${c.state}`);
  }
  reachable(sim, ref.host).byName.delete(ref.name);
}

function setHostnames(sim: Sim, change: AppChange, hostnames: string[]): void {
  if (!sim.routes) return;
  const key = routeKey(change.env, change.app);
  if (change.kind === "delete" && hostnames.length === 0) {
    sim.routes.delete(key);
    return;
  }
  const route = sim.routes.get(key) ?? { app: change.app, env: change.env, hostnames: [], upstreams: [] };
  route.hostnames = [...hostnames];
  sim.routes.set(key, route);
}

function reachable(sim: Sim, name: string): SimHost {
  const host = sim.hosts.get(name);
  if (!host) throw new Error(`host ${name} is not observed`);
  if (!host.host.reachable) throw new Error(`host ${name} is unreachable`);
  return host;
}

function container(sim: Sim, ref: { host: string; name: string; id?: string }): ObservedContainer {
  const c = reachable(sim, ref.host).byName.get(ref.name);
  if (!c || (ref.id !== undefined && c.id !== ref.id)) throw new Error(`no container ${ref.name} on ${ref.host}`);
  return c;
}

function hasImage(host: SimHost, image: string): boolean {
  const wanted = normalizeImageRef(image);
  return host.host.images.some((i) => normalizeImageRef(i) === wanted);
}

function addImage(host: SimHost, image: string): void {
  if (!hasImage(host, image)) host.host.images.push(image);
}

function cloneRoute(r: AppRoute): AppRoute {
  return { ...r, hostnames: [...r.hostnames], upstreams: r.upstreams.map((u) => ({ ...u })) };
}
