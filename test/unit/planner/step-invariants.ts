import type { AppChange, Step } from "../../../src/model/index.js";

const LIVE = new Set(["running", "restarting", "paused"]);

function target(step: Step): string {
  switch (step.kind) {
    case "build":
    case "pull":
    case "push":
      return step.host;
    case "ship":
      return step.to;
    case "setHostnames":
      return "hostnames";
    default:
      return `${step.container.host}/${step.container.name}`;
  }
}

/**
 * The ordering promises of docs/rollouts.md and of `Step`, as a list of
 * broken ones (empty when the app's steps keep them all).
 */
export function stepOrderViolations(change: AppChange, liveBefore: ReadonlySet<string>): string[] {
  const broken: string[] = [];
  const firstIndex = new Map<string, number>();
  change.steps.forEach((step, i) => {
    const key = `${step.kind} ${target(step)}`;
    if (!firstIndex.has(key)) firstIndex.set(key, i);
  });
  const before = (kind: string, t: string, i: number) =>
    (firstIndex.get(`${kind} ${t}`) ?? Number.POSITIVE_INFINITY) < i;
  const spec = change.spec;
  const recreate = spec?.rollout.strategy === "recreate";
  // Nothing can send requests to these: recreate without hostnames stops at once, a worker is never routed.
  const unrouted = spec !== undefined && ((recreate && spec.hostnames.length === 0) || spec.port === undefined);
  change.steps.forEach((step, i) => {
    const t = target(step);
    if (step.kind === "routeIn" && !before("waitHealthy", t, i)) broken.push(`routeIn ${t} before its waitHealthy`);
    if (step.kind === "routeIn" && spec?.port === undefined) broken.push(`routeIn ${t} of a worker`);
    if (step.kind === "waitHealthy" && !before("start", t, i)) broken.push(`waitHealthy ${t} before its start`);
    if (step.kind === "stop" && !unrouted && !(before("routeOut", t, i) && before("drain", t, i))) {
      broken.push(`stop ${t} before routeOut and drain`);
    }
    if (step.kind === "remove" && liveBefore.has(t) && !before("stop", t, i)) broken.push(`remove ${t} while live`);
  });
  // Steps of one kind side by side may run concurrently: each must have its own target.
  let runStart = 0;
  change.steps.forEach((step, i) => {
    if (i > 0 && change.steps[i - 1]?.kind !== step.kind) runStart = i;
    const earlier = change.steps.slice(runStart, i).map(target);
    if (earlier.includes(target(step))) broken.push(`two ${step.kind} steps on ${target(step)} in one concurrent run`);
  });
  const lastRouteIn = change.steps.reduce((last, s, i) => (s.kind === "routeIn" ? i : last), -1);
  for (const slot of change.slots) {
    if (slot.action !== "replace" || !slot.old) continue;
    const oldT = `${slot.old.host}/${slot.old.name}`;
    const newT = `${slot.host}/${slot.container}`;
    if (oldT === newT) continue; // self-heal under the same name: the old one must go first
    const removeAt = firstIndex.get(`remove ${oldT}`) ?? -1;
    if (removeAt < lastRouteIn) broken.push(`old ${oldT} removed before the whole app rolled`);
    const outAt = firstIndex.get(`routeOut ${oldT}`);
    const startAt = firstIndex.get(`start ${newT}`) ?? -1;
    if (recreate) {
      // Never two containers of one slot: the old one (if it runs) is stopped before the new one starts.
      if (liveBefore.has(oldT) && !before("stop", oldT, startAt)) broken.push(`${newT} started before ${oldT} stopped`);
    } else if (outAt !== undefined && spec?.port !== undefined && !before("routeIn", newT, outAt)) {
      broken.push(`old ${oldT} routed out before ${newT} in`);
    }
  }
  return broken;
}

export function liveContainers(hosts: { containers: { host: string; name: string; state: string }[] }[]): Set<string> {
  const live = new Set<string>();
  for (const h of hosts) for (const c of h.containers) if (LIVE.has(c.state)) live.add(`${c.host}/${c.name}`);
  return live;
}
