/**
 * Small builders for planner tests: every test states only what matters to it.
 * Defaults: env production, 1 replica, batch 1, drain 1s, capacity 50, image
 * `<app>:1`, spec hash `<app>-v1`, containers running and healthy.
 */
import type {
  AppRoute,
  AppSpec,
  DesiredState,
  HostSpec,
  ObservedContainer,
  ObservedHost,
  ObservedState,
  Plan,
  Step,
} from "../../../src/model/index.js";
import { containerName } from "../../../src/model/index.js";

export const SOURCE = { repo: "/srv/deploy", sha: "0123456789abcdef0123456789abcdef01234567" };

export function host(name: string, over: Partial<HostSpec> = {}): HostSpec {
  return {
    name,
    docker: "local",
    address: `10.0.0.${name.length}`,
    bind: `10.0.0.${name.length}`,
    capacity: 50,
    labels: {},
    ...over,
  };
}

export function app(name: string, over: Partial<AppSpec> = {}): AppSpec {
  return {
    name,
    env: "production",
    file: `apps/${name}.yaml`,
    image: `${name}:1`,
    replicas: 1,
    port: 8080,
    hostnames: [],
    environment: {},
    health: { path: "/healthz", timeoutMs: 2000, withinMs: 30000 },
    rollout: { batch: 1, drainMs: 1000 },
    placement: {},
    specHash: `${name}-v1`,
    specFields: { image: `${name}:1`, port: "8080" },
    ...over,
  };
}

/** The same app at a new version: new image and spec hash. */
export function bumped(spec: AppSpec, version = 2, over: Partial<AppSpec> = {}): AppSpec {
  const image = `${spec.name}:${version}`;
  const specFields = { ...spec.specFields, image };
  return { ...spec, image, specHash: `${spec.name}-v${version}`, specFields, ...over };
}

export function built(name: string, over: Partial<AppSpec> = {}): AppSpec {
  const build = { context: `services/${name}`, dockerfile: "Dockerfile", contextHash: "tree1" };
  return app(name, { image: `dockhand/${name}:tree1`, build, ...over });
}

export function desired(hosts: HostSpec[], apps: AppSpec[]): DesiredState {
  return { source: SOURCE, hosts, proxy: { driver: "builtin", listen: "127.0.0.1:8080" }, apps };
}

let createdAt = 1_000;

/** A container of `spec` (as it is now) serving `slot` on `hostName`. */
export function container(
  spec: AppSpec,
  slot: number,
  hostName: string,
  over: Partial<ObservedContainer> = {},
): ObservedContainer {
  const specHash = over.specHash ?? spec.specHash;
  const name = containerName(spec.name, over.env ?? spec.env, slot, specHash);
  return {
    id: `${hostName}-${name}`,
    name,
    host: hostName,
    app: spec.name,
    env: spec.env,
    slot,
    specHash,
    ...(specHash === spec.specHash ? { specFields: spec.specFields } : {}),
    commit: "c0ffee",
    image: spec.image,
    state: "running",
    health: "healthy",
    hostPort: 30_000 + slot,
    createdAt: createdAt++,
    ...over,
  };
}

/** `spread(spec, ["alpha", "beta"])`: slot i on the i-th host. */
export function spread(spec: AppSpec, hosts: string[], over: Partial<ObservedContainer> = {}): ObservedContainer[] {
  return hosts.map((h, slot) => container(spec, slot, h, over));
}

export interface ObserveOptions {
  unreachable?: string[];
  /** Images per host; default: the images of the containers on it. */
  images?: Record<string, string[]>;
  /** Hosts observed beyond those with containers (e.g. a host removed from dockhand.yaml). */
  extraHosts?: string[];
  routes?: AppRoute[];
}

/** Observes every desired host (plus `extraHosts` and hosts with containers). */
export function observe(hosts: HostSpec[], containers: ObservedContainer[], o: ObserveOptions = {}): ObservedState {
  const names = new Set([...hosts.map((h) => h.name), ...(o.extraHosts ?? []), ...containers.map((c) => c.host)]);
  const observedHosts: ObservedHost[] = [...names].map((name) => {
    const mine = containers.filter((c) => c.host === name);
    const reachable = !(o.unreachable ?? []).includes(name);
    const images = o.images?.[name] ?? [...new Set(mine.map((c) => c.image))];
    return {
      name,
      reachable,
      ...(reachable ? {} : { error: "connect ECONNREFUSED" }),
      containers: reachable ? mine : [],
      images: reachable ? images : [],
    };
  });
  if (!o.routes) return { hosts: observedHosts };
  // A route given without upstreams routes the app's running containers, as after a finished rollout.
  const routes = o.routes.map((r) =>
    r.upstreams.length > 0
      ? r
      : route(
          { name: r.app, env: r.env } as AppSpec,
          r.hostnames,
          containers.filter((c) => c.app === r.app && c.env === r.env && c.state === "running"),
        ),
  );
  return { hosts: observedHosts, routes: { version: 1, routes } };
}

export function route(spec: AppSpec, hostnames = spec.hostnames, containers: ObservedContainer[] = []): AppRoute {
  return {
    app: spec.name,
    env: spec.env,
    hostnames,
    upstreams: containers.map((c) => ({
      host: c.host,
      address: c.host,
      port: c.hostPort ?? 0,
      container: c.name,
      state: "active" as const,
    })),
  };
}

export function changeOf(plan: Plan, name: string, env = "production") {
  const change = plan.changes.find((c) => c.app === name && c.env === env);
  if (!change) throw new Error(`no change for ${name} (${env}) in plan`);
  return change;
}

/** A step as one short line, so expected step lists read like the plan they describe. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case "build":
      return `build ${step.image} on ${step.host}`;
    case "ship":
      return `ship ${step.image} ${step.from}->${step.to}`;
    case "pull":
      return `pull ${step.image} on ${step.host}`;
    case "push":
      return `push ${step.image} from ${step.host}`;
    case "drain":
      return `drain ${step.container.name}@${step.container.host} ${step.ms}ms`;
    case "setHostnames":
      return `setHostnames ${step.hostnames.join(",")}`;
    default:
      return `${step.kind} ${step.container.name}@${step.container.host}`;
  }
}

export function stepsOf(plan: Plan, name: string, env = "production"): string[] {
  return changeOf(plan, name, env).steps.map(describeStep);
}

/** `slot action host (reasons)` per slot change, for compact expectations. */
export function slotsOf(plan: Plan, name: string, env = "production"): string[] {
  return changeOf(plan, name, env).slots.map(
    (s) =>
      `${s.slot} ${s.action} ${s.old && s.old.host !== s.host ? `${s.old.host}->` : ""}${s.host}${s.reasons.length ? ` (${s.reasons.join(", ")})` : ""}`,
  );
}
