/**
 * Random worlds for property tests: a few hosts (some removed from
 * dockhand.yaml, some unreachable, small capacities), a few apps in production
 * and one preview, containers in every state with duplicates, stray apps and
 * bad slots, images here and there, and a route table or none.
 */
import fc from "fast-check";
import type {
  AppRoute,
  AppSpec,
  ContainerHealth,
  ContainerState,
  DesiredState,
  ObservedContainer,
  ObservedHost,
  ObservedState,
} from "../../../src/model/index.js";
import { containerName } from "../../../src/model/index.js";
import { app, desired, host } from "./fixtures.js";

export interface World {
  desired: DesiredState;
  observed: ObservedState;
  envs: string[] | undefined;
}

const HOSTS = ["alpha", "beta", "gamma", "delta"];
const APPS = ["web", "api", "cron"];
const ENVS = ["production", "pr-1"];
const HOSTNAMES = ["a.test", "b.test", "c.test", "d.test"];
const STATES: ContainerState[] = ["running", "running", "running", "exited", "dead", "created", "restarting", "paused"];
const HEALTH: ContainerHealth[] = ["healthy", "healthy", "none", "starting", "unhealthy"];

const imageOf = (name: string, version: number, build: boolean) =>
  build ? `dockhand/${name}:t${version}` : `${name}:${version}`;
const hashOf = (name: string, version: number, build: boolean) => `${name}${build ? "b" : "i"}${version}`;

/** A container of a desired app: usually its current spec, running, on some host. */
const runningArb = fc.record({
  slot: fc.integer({ min: 0, max: 4 }),
  host: fc.constantFrom(...HOSTS),
  current: fc.boolean(),
  state: fc.constantFrom<ContainerState>("running", "running", "running", "running", "exited", "paused"),
  health: fc.constantFrom<ContainerHealth>("healthy", "healthy", "healthy", "unhealthy", "starting"),
  createdAt: fc.integer({ min: 1, max: 50 }),
  routed: fc.boolean(),
});

const appArb = fc.record({
  running: fc.array(runningArb, { maxLength: 5 }),
  name: fc.constantFrom(...APPS),
  env: fc.constantFrom(...ENVS),
  replicas: fc.integer({ min: 0, max: 4 }),
  version: fc.integer({ min: 1, max: 3 }),
  build: fc.boolean(),
  batch: fc.integer({ min: 1, max: 3 }),
  /** A web app, a worker (no port) or a service on a fixed host port; each start-first or recreate. */
  kind: fc.constantFrom("web", "web", "worker", "fixed"),
  recreate: fc.boolean(),
  placement: fc.oneof(
    { arbitrary: fc.constant({}), weight: 4 },
    { arbitrary: fc.record({ hosts: fc.subarray(HOSTS, { minLength: 1 }) }), weight: 1 },
    { arbitrary: fc.record({ labels: fc.record({ zone: fc.constantFrom("a", "b") }) }), weight: 1 },
  ),
});

const containerArb = fc.record({
  name: fc.constantFrom(...APPS, ...APPS, "stray"),
  env: fc.constantFrom(...ENVS, ...ENVS, "production", "pr-9"),
  slot: fc.integer({ min: -1, max: 4 }),
  version: fc.integer({ min: 1, max: 2 }),
  build: fc.boolean(),
  host: fc.constantFrom(...HOSTS),
  state: fc.constantFrom(...STATES),
  health: fc.constantFrom(...HEALTH),
  createdAt: fc.integer({ min: 1, max: 50 }),
  routed: fc.boolean(),
});

export const worldArb: fc.Arbitrary<World> = fc
  .record({
    desiredHosts: fc.subarray(HOSTS, { minLength: 1 }),
    settings: fc.array(fc.record({ capacity: fc.integer({ min: 0, max: 9 }), zone: fc.constantFrom("a", "a", "b") }), {
      minLength: HOSTS.length,
      maxLength: HOSTS.length,
    }),
    /** Hosts the adapter did not observe, and hosts observed beyond dockhand.yaml (removed from it). */
    unobserved: fc.subarray(HOSTS, { maxLength: 1 }),
    removed: fc.subarray(HOSTS, { maxLength: 2 }),
    unreachable: fc.subarray(HOSTS, { maxLength: 2 }),
    ghostsVisible: fc.boolean(),
    apps: fc.array(appArb, { maxLength: 5 }),
    hostnameOwners: fc.array(fc.nat({ max: 6 }), { minLength: HOSTNAMES.length, maxLength: HOSTNAMES.length }),
    containers: fc.array(containerArb, { maxLength: 16 }),
    images: fc.array(
      fc.subarray([...APPS.flatMap((a) => [1, 2, 3].map((v) => imageOf(a, v, false))), "dockhand/web:t2"]),
      {
        minLength: HOSTS.length,
        maxLength: HOSTS.length,
      },
    ),
    routesKnown: fc.boolean(),
    routeOwners: fc.array(fc.nat({ max: 6 }), { minLength: HOSTNAMES.length, maxLength: HOSTNAMES.length }),
    envs: fc.option(fc.subarray(ENVS, { minLength: 1 }), { nil: undefined }),
  })
  .map((r) => {
    const hostSpecs = r.desiredHosts.map((name) => {
      const s = r.settings[HOSTS.indexOf(name)] ?? { capacity: 4, zone: "a" };
      return host(name, { capacity: s.capacity, labels: { zone: s.zone } });
    });
    const specs = uniqueApps(r.apps.map(toSpec));
    const derived = r.apps.flatMap((a) =>
      a.running.map((c) => ({ ...c, name: a.name, env: a.env, build: a.build, version: c.current ? a.version : 4 })),
    );

    specs.forEach((spec, i) => {
      // A worker has no port, so nothing to route hostnames to (config refuses that).
      spec.hostnames = spec.port === undefined ? [] : HOSTNAMES.filter((_, h) => r.hostnameOwners[h] === i);
    });
    const observedHosts = HOSTS.filter(
      (h) => (r.desiredHosts.includes(h) || r.removed.includes(h)) && !r.unobserved.includes(h),
    );
    // Never mutate generated values: fast-check reuses them while shrinking.
    const observed = observeWorld({ ...r, observedHosts, containers: [...r.containers, ...derived] }, specs);
    return { desired: desired(hostSpecs, specs), observed, envs: r.envs };
  });

type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

function toSpec(a: ValueOf<typeof appArb>): AppSpec {
  const build = a.build
    ? { context: `services/${a.name}`, dockerfile: "Dockerfile", contextHash: `t${a.version}` }
    : undefined;
  return app(a.name, {
    env: a.env,
    replicas: a.replicas,
    image: imageOf(a.name, a.version, a.build),
    specHash: hashOf(a.name, a.version, a.build),
    rollout: { batch: a.batch, drainMs: 100, strategy: a.recreate || a.kind === "fixed" ? "recreate" : "start-first" },
    ...(a.kind === "worker" ? { port: undefined } : {}),
    ...(a.kind === "fixed" ? { hostPort: 7000 } : {}),
    placement: a.placement,
    ...(build ? { build } : {}),
  });
}

function uniqueApps(specs: AppSpec[]): AppSpec[] {
  const seen = new Set<string>();
  return specs.filter((s) => {
    const key = `${s.env}/${s.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

type Raw = {
  observedHosts: string[];
  unreachable: string[];
  ghostsVisible: boolean;
  containers: ValueOf<typeof containerArb>[];
  images: string[][];
  routesKnown: boolean;
  routeOwners: number[];
};

function observeWorld(r: Raw, specs: AppSpec[]): ObservedState {
  const hosts: ObservedHost[] = r.observedHosts.map((name) => {
    const reachable = !r.unreachable.includes(name);
    const byName = new Map<string, ObservedContainer>();
    for (const c of r.containers.filter((x) => x.host === name)) {
      const container = toContainer(c);
      if (!byName.has(container.name)) byName.set(container.name, container);
    }
    const containers = reachable || r.ghostsVisible ? [...byName.values()] : [];
    const images = [...new Set([...(r.images[HOSTS.indexOf(name)] ?? []), ...containers.map((c) => c.image)])];
    return { name, reachable, ...(reachable ? {} : { error: "timeout" }), containers, images };
  });
  if (!r.routesKnown) return { hosts };
  return { hosts, routes: { version: 3, routes: observedRoutes(r, specs, hosts) } };
}

function toContainer(c: Raw["containers"][number]): ObservedContainer {
  const specHash = hashOf(c.name, c.version, c.build);
  const name = c.slot >= 0 ? containerName(c.name, c.env, c.slot, specHash) : `${c.name}-${c.env}-bad-${specHash}`;
  return {
    id: `${c.host}-${name}`,
    name,
    host: c.host,
    app: c.name,
    env: c.env,
    slot: c.slot,
    specHash,
    commit: "c0",
    image: imageOf(c.name, c.version, c.build),
    state: c.state,
    health: c.health,
    createdAt: c.createdAt,
    // Kept on the container only to build the route table below.
    ...(c.routed ? { hostPort: 1 } : {}),
  };
}

/** Hostnames are owned by one app each (as the route store guarantees); some owners are not desired. */
function observedRoutes(r: Raw, specs: AppSpec[], hosts: ObservedHost[]): AppRoute[] {
  const owners = [
    ...specs.map((s) => ({ env: s.env, app: s.name })),
    { env: "production", app: "stray" },
    { env: "pr-9", app: "web" },
  ];
  const routes = new Map<string, AppRoute>();
  const routeOf = (env: string, appName: string) => {
    const key = `${env}/${appName}`;
    let route = routes.get(key);
    if (!route) {
      route = { app: appName, env, hostnames: [], upstreams: [] };
      routes.set(key, route);
    }
    return route;
  };
  HOSTNAMES.forEach((hostname, i) => {
    const owner = owners[r.routeOwners[i] ?? 99];
    if (owner) routeOf(owner.env, owner.app).hostnames.push(hostname);
  });
  for (const h of hosts) {
    for (const c of h.containers) {
      if (c.hostPort === undefined || c.state !== "running") continue;
      routeOf(c.env, c.app).upstreams.push({
        host: h.name,
        address: h.name,
        port: 1,
        container: c.name,
        state: "active",
      });
    }
  }
  return [...routes.values()];
}
