/**
 * The Plan: what dockhand will do, as data. The planner (pure) makes it; the
 * executor runs it; the text, markdown and JSON renderings describe it. The
 * same Plan drives all three, so a dry run shows exactly what an apply does.
 */
import type { AppSpec, RepoSource } from "./desired-state.js";

/** A container dockhand is about to create, named before it exists (see `containerName`). */
export interface NewContainerRef {
  host: string;
  name: string;
  slot: number;
}

/** A container that exists now. */
export interface OldContainerRef {
  host: string;
  id: string;
  name: string;
  slot: number;
}

/**
 * One unit of work. Consecutive steps of the same kind within one app are
 * independent of each other (different slots or hosts) and may run
 * concurrently; steps of different kinds run in order.
 */
export type Step =
  | { kind: "build"; host: string; image: string; context: string; dockerfile: string }
  | { kind: "ship"; image: string; from: string; to: string }
  | { kind: "pull"; host: string; image: string }
  /** Push a built image from `host` to the deploy's registry (dockhand.yaml `registry`), once, before the pulls. */
  | { kind: "push"; host: string; image: string }
  | { kind: "start"; container: NewContainerRef }
  | { kind: "waitHealthy"; container: NewContainerRef }
  | { kind: "routeIn"; container: NewContainerRef }
  /** Stop sending new requests to a container; in-flight ones finish. */
  | { kind: "routeOut"; container: OldContainerRef }
  | { kind: "drain"; container: OldContainerRef; ms: number }
  | { kind: "stop"; container: OldContainerRef }
  | { kind: "remove"; container: OldContainerRef }
  /** Point the app's hostnames at its containers without touching containers. */
  | { kind: "setHostnames"; hostnames: string[] };

export type StepKind = Step["kind"];

export type ChangeKind = "create" | "update" | "delete" | "unchanged";

export type SlotAction = "create" | "replace" | "remove" | "keep";

export interface SlotChange {
  slot: number;
  action: SlotAction;
  /** Host the slot runs on after the change (for `remove`: where the old container is). */
  host: string;
  /** The new container's name, for create and replace. */
  container?: string;
  /** The container replaced or removed. */
  old?: OldContainerRef & { specHash: string };
  /** Human-readable why, e.g. `env GREETING changed`, `container exited`. */
  reasons: string[];
}

export interface AppChange {
  app: string;
  env: string;
  kind: ChangeKind;
  reasons: string[];
  slots: SlotChange[];
  steps: Step[];
  /** The desired spec; absent for `delete`. */
  spec?: AppSpec;
  /** Hostnames before and after, when they change. */
  hostnames?: { before: string[]; after: string[] };
  /** Set when this app cannot be planned (e.g. no capacity); its steps are then empty and nothing of it is applied. */
  error?: string;
}

export interface Plan {
  source: RepoSource;
  changes: AppChange[];
  /** Plan-wide notes for the reader, e.g. `host beta unreachable: its 2 containers are presumed alive`. */
  warnings: string[];
}

export function planHasChanges(plan: Plan): boolean {
  return plan.changes.some((c) => c.kind !== "unchanged" || c.error !== undefined);
}
