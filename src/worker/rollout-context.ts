import type { Logger } from "pino";
import type { DockerPort, HostSpec, RepoPort, RouteStore } from "../model/index.js";

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
  log: Logger;
  signal?: AbortSignal;
  /** Called as each step starts and ends, for progress output. */
  onStep?: (event: StepEvent) => void;
}

export interface StepEvent {
  app: string;
  env: string;
  step: string;
  phase: "start" | "done" | "failed";
  durationMs?: number;
}
