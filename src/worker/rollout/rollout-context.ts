import type { Logger } from "pino";
import type { DockerPort, HostSpec, InFlightSource, RepoPort, RouteStore } from "../../model/index.js";

/** Everything one rollout needs, handed in by the composition root as ports. */
export interface RolloutContext {
  docker: DockerPort;
  repo: RepoPort;
  routes: RouteStore;
  hosts: ReadonlyMap<string, HostSpec>;
  /** `dockhand.instance` label value of this install. */
  instance: string;
  /** Deploy repo commit being applied; becomes the `dockhand.commit` label. */
  sha: string;
  /** From runSync and rollBackApp it masks secret values (secret-mask.ts): output of containers is logged through it. */
  log: Logger;
  signal?: AbortSignal;
  /** Called as each step starts and ends, for progress output. */
  onStep?: (event: StepEvent) => void;
  /**
   * What the proxies report (route version served, requests in flight): lets
   * a route-out wait until every proxy has seen it and a drain end early.
   * Without it, a drain waits its whole time.
   */
  proxies?: InFlightSource;
  /** Secret values per app, by `routeKey(env, app)`; injected as env vars, never logged. */
  secrets?: ReadonlyMap<string, Record<string, string>>;
  /** Hosts found unreachable during this run: nothing more is tried on them, nothing is routed to them. */
  lostHosts?: Set<string>;
}

export interface StepEvent {
  app: string;
  env: string;
  step: string;
  phase: "start" | "done" | "failed";
  durationMs?: number;
}
