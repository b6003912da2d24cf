import type { ContainerState, ObservedContainer } from "../model/index.js";

/** A live container may be receiving requests: it is routed out, drained and stopped before removal. */
export function isLive(c: ObservedContainer): boolean {
  return c.state === "running" || c.state === "restarting" || c.state === "paused";
}

/** Serving its slot well enough to keep. `starting` health is a container still coming up: keep it. */
export function isServing(c: ObservedContainer): boolean {
  return c.state === "running" && c.health !== "unhealthy";
}

const STATE_REASONS: Record<ContainerState, string> = {
  running: "container unhealthy",
  created: "container never started",
  paused: "container paused",
  restarting: "container restarting",
  removing: "container being removed",
  exited: "container exited",
  dead: "container dead",
};

/** Why a container no longer serves its slot, or undefined when it does. */
export function notServingReason(c: ObservedContainer): string | undefined {
  return isServing(c) ? undefined : STATE_REASONS[c.state];
}

export function isValidSlot(slot: number): boolean {
  return Number.isInteger(slot) && slot >= 0;
}
