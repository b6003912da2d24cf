import type { AppSpec, ObservedContainer, SlotAction } from "../model/index.js";

/** A slot below `replicas`: what happens to it, before and after placement. */
export interface SlotDraft {
  slot: number;
  action: Exclude<SlotAction, "remove">;
  /** Where the slot runs after the plan; undefined until placed. */
  host: string | undefined;
  /** The container that serves the slot now, if any (on a reachable host). */
  current: ObservedContainer | undefined;
  reasons: string[];
  /**
   * Where the slot ran when it must move (its host left placement or
   * dockhand.yaml, or is unreachable): its per-slot volumes stay there.
   */
  from?: string;
}

/** A container that goes: scale down, duplicate of a slot, or its app or environment is gone. */
export interface Retiring {
  container: ObservedContainer;
  reason: string;
}

/** The planner's working copy of one app in one environment. */
export interface AppDraft {
  /** `routeKey(env, app)`, computed once. */
  key: string;
  env: string;
  app: string;
  /** Undefined when the app is not desired (prune). */
  spec: AppSpec | undefined;
  slots: SlotDraft[];
  retiring: Retiring[];
  reasons: string[];
  /** The app has containers (anywhere) or a route: it is not new. */
  exists: boolean;
  error?: string;
}
