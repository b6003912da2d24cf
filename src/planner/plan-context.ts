import type { AppRoute, DesiredState, HostSpec, ObservedContainer, ObservedState } from "../model/index.js";
import { containerName, routeKey } from "../model/index.js";
import { compareStrings } from "./compare.js";
import { normalizeImageRef } from "./image-ref.js";
import type { PlanOptions } from "./plan-options.js";

/** One host as the planner sees it: desired (in dockhand.yaml), observed, or both. */
export interface HostInfo {
  name: string;
  /** Undefined when the host is no longer in dockhand.yaml. */
  spec: HostSpec | undefined;
  /** False when the engine could not be observed (or was not observed at all). */
  reachable: boolean;
  error: string | undefined;
  /** Normalised image references present on the host. */
  images: ReadonlySet<string>;
}

/** The managed containers of one app in one environment. */
export interface AppContainers {
  env: string;
  app: string;
  /** On reachable hosts: the plan may act on these. */
  actionable: ObservedContainer[];
  /** On unreachable hosts: presumed alive, never touched, never counted as serving a slot. */
  ghosts: ObservedContainer[];
  /**
   * Kept stopped by earlier rollouts for `dockhand rollback` (on reachable
   * hosts): they serve no slot; the executor trims them, and they go when
   * the app goes.
   */
  retired: ObservedContainer[];
}

export interface PlanContext {
  desired: DesiredState;
  hosts: ReadonlyMap<string, HostInfo>;
  /** Every host name, desired or observed, sorted. */
  hostNames: readonly string[];
  groups: ReadonlyMap<string, AppContainers>;
  /** Undefined when the route table is unknown: hostname changes are then not planned. */
  routes: ReadonlyMap<string, AppRoute> | undefined;
  inScope(env: string): boolean;
  /** Some host in dockhand.yaml could not be observed: missing containers may only be invisible. */
  someHostUnreachable: boolean;
  /** Name of a new container for this install (containerName with the instance). */
  nameFor(app: string, env: string, slot: number, specHash: string): string;
}

export function buildPlanContext(desired: DesiredState, observed: ObservedState, options: PlanOptions): PlanContext {
  const hosts = indexHosts(desired, observed);
  const envs = options.envs ? new Set(options.envs) : undefined;
  return {
    desired,
    hosts,
    hostNames: [...hosts.keys()].sort(compareStrings),
    groups: groupContainers(observed, hosts),
    routes: observed.routes ? new Map(observed.routes.routes.map((r) => [routeKey(r.env, r.app), r])) : undefined,
    inScope: envs ? (env) => envs.has(env) : () => true,
    someHostUnreachable: [...hosts.values()].some((h) => h.spec !== undefined && !h.reachable),
    nameFor: (app, env, slot, specHash) => containerName(app, env, slot, specHash, options.instance),
  };
}

function indexHosts(desired: DesiredState, observed: ObservedState): Map<string, HostInfo> {
  const hosts = new Map<string, HostInfo>();
  for (const spec of desired.hosts) {
    hosts.set(spec.name, { name: spec.name, spec, reachable: false, error: "not observed", images: new Set() });
  }
  for (const o of observed.hosts) {
    const spec = hosts.get(o.name)?.spec;
    const images = new Set(o.images.map(normalizeImageRef));
    hosts.set(o.name, { name: o.name, spec, reachable: o.reachable, error: o.reachable ? undefined : o.error, images });
  }
  return hosts;
}

function groupContainers(observed: ObservedState, hosts: ReadonlyMap<string, HostInfo>): Map<string, AppContainers> {
  const groups = new Map<string, AppContainers>();
  for (const o of observed.hosts) {
    const reachable = hosts.get(o.name)?.reachable ?? false;
    for (const c of o.containers) {
      const key = routeKey(c.env, c.app);
      let group = groups.get(key);
      if (!group) {
        group = { env: c.env, app: c.app, actionable: [], ghosts: [], retired: [] };
        groups.set(key, group);
      }
      if (c.retiredAt === undefined) (reachable ? group.actionable : group.ghosts).push(c);
      else if (reachable) group.retired.push(c);
    }
  }
  return groups;
}
