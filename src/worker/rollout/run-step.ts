import type { Readable } from "node:stream";
import type { AppSpec, BuildSpec, ObservedContainer, OldContainerRef, Step } from "../../model/index.js";
import { DockhandError, retiredName } from "../../model/index.js";
import type { AppRouteEditor } from "./app-route-editor.js";
import { slotContainerSpec } from "./container-spec.js";
import { drainContainer, waitRouteSeen } from "./proxy-drain.js";
import type { RolloutContext } from "./rollout-context.js";
import { ROLLOUT_DEFAULTS } from "./rollout-defaults.js";

export interface RetiredSlot {
  host: string;
  name: string;
  slot: number;
  stopped: boolean;
}

export interface StartedSlot {
  id: string;
  host: string;
  /** The slot it serves: under `recreate`, its old container may start again only once this one is gone. */
  slot: number;
  /** Absent when nothing is published (a worker). */
  hostPort?: number;
  /** Set for a kept container brought back by `dockhand rollback`: its retired name, for undoing that. */
  revivedFrom?: string;
}

/** What one app's rollout has done so far; rollback reads it to undo exactly that. */
export interface RolloutLedger {
  started: Map<string, StartedSlot>;
  /** Old containers taken out of service (routed out or stopped), by container id. */
  retired: Map<string, RetiredSlot>;
  removed: Set<string>;
  /** Route table version of each container's route-out, by container name: its drain waits for proxies to serve it. */
  routedOut: Map<string, number>;
  /** Old containers kept, stopped and renamed, for `dockhand rollback`: id ─▶ new name. */
  kept: Map<string, { host: string; name: string; specHash: string }>;
}

export function newLedger(): RolloutLedger {
  return { started: new Map(), retired: new Map(), removed: new Set(), routedOut: new Map(), kept: new Map() };
}

/** One app's rollout as the steps see it. */
export interface AppRun {
  spec: AppSpec | undefined;
  ctx: RolloutContext;
  route: AppRouteEditor;
  ledger: RolloutLedger;
  /** The app's containers as observed before the rollout. */
  observed: readonly ObservedContainer[];
  /** Epoch ms stamped on containers this rollout retires. */
  retiredAt: number;
  /** `dockhand rollback`: kept containers a `start` brings back instead of creating, by the name they get back. */
  revive?: ReadonlyMap<string, ObservedContainer>;
}

export function describeStep(step: Step): string {
  switch (step.kind) {
    case "build":
      return `build ${step.image} on ${step.host}`;
    case "ship":
      return `ship ${step.image} ${step.from} → ${step.to}`;
    case "pull":
      return `pull ${step.image} on ${step.host}`;
    case "push":
      return `push ${step.image} from ${step.host}`;
    case "setHostnames":
      return `hostnames → ${step.hostnames.join(", ") || "(none)"}`;
    case "drain":
      return `drain ${step.container.name} on ${step.container.host} (up to ${step.ms} ms)`;
    default:
      return `${step.kind} ${step.container.name} on ${step.container.host}`;
  }
}

/** The context's tar: from the app's source repository at the commit the sync read, else from the deploy repo. */
function buildContext(context: string, build: BuildSpec | undefined, ctx: RolloutContext): Readable {
  if (!build?.git) return ctx.repo.contextTar(ctx.sha, context);
  if (!ctx.repo.sources) {
    throw new DockhandError(
      "DOCKHAND_E_USAGE",
      `cannot build from ${build.git.url}: this deploy repo reads no source repositories`,
    );
  }
  return ctx.repo.sources.contextTar(build.git.url, build.git.sha, context);
}

/** Runs one step of an app's rollout through the ports. */
export async function runStep(step: Step, run: AppRun): Promise<void> {
  const { ctx, ledger, route } = run;
  const { docker } = ctx;
  const log = (line: string) => ctx.log.debug({ output: line }, "step output");
  switch (step.kind) {
    case "build": {
      const build = run.spec?.build;
      await docker.build(step.host, step.image, buildContext(step.context, build, ctx), step.dockerfile, log, {
        ...(build?.args ? { args: build.args } : {}),
        ...(build?.target ? { target: build.target } : {}),
      });
      return;
    }
    case "ship":
      await docker.ship(step.image, step.from, step.to);
      return;
    case "pull":
      await docker.pull(step.host, step.image, log);
      return;
    case "push":
      await docker.push(step.host, step.image, log);
      return;
    case "start": {
      const kept = run.revive?.get(step.container.name);
      if (kept) return revive(kept, step.container.name, run);
      const spec = slotContainerSpec(ctx, required(run.spec, step), step.container);
      const started = await docker.run(step.container.host, spec);
      const { id, host, hostPort } = started;
      ledger.started.set(step.container.name, {
        id,
        host,
        slot: step.container.slot,
        ...(hostPort ? { hostPort } : {}),
      });
      return;
    }
    case "waitHealthy": {
      const app = required(run.spec, step);
      const slot = startedSlot(ledger, step.container.name);
      await docker.waitHealthy(slot.host, slot.id, app.port, app.health, ctx.signal);
      return;
    }
    case "routeIn": {
      const slot = startedSlot(ledger, step.container.name);
      if (slot.hostPort === undefined)
        throw new Error(`container ${step.container.name} publishes no port to route to`);
      await route.addActive(slot.host, step.container.name, slot.hostPort);
      return;
    }
    case "routeOut":
      return routeOut(step.container, run);
    case "drain": {
      const version = ledger.routedOut.get(step.container.name) ?? 0;
      const options = { pollMs: ROLLOUT_DEFAULTS.proxyPollMs, signal: ctx.signal };
      const end = await drainContainer(ctx.proxies, step.container, version, step.ms, options);
      ctx.log.debug({ container: step.container.name, end }, "drained");
      return;
    }
    case "stop":
      return stop(step.container, run);
    case "remove":
      return removeOrKeep(step.container, run);
    case "setHostnames":
      await route.setHostnames(step.hostnames);
      return;
  }
}

/** Give a kept container its name back and start it; it then goes through health and routing like a new one. */
async function revive(kept: ObservedContainer, name: string, run: AppRun): Promise<void> {
  const { docker } = run.ctx;
  const spec = run.spec;
  if (spec === undefined) throw new Error(`bringing back ${name} needs the app's spec, and the plan has none`);
  const slot = { id: kept.id, host: kept.host, slot: kept.slot, revivedFrom: kept.name };
  await docker.rename(kept.host, kept.id, name);
  run.ledger.started.set(name, slot);
  await docker.start(kept.host, kept.id);
  // A worker publishes nothing; an app with a port must publish it again to be routed.
  if (spec.port === undefined) return;
  const hostPort = await docker.hostPort(kept.host, kept.id, spec.port);
  if (hostPort === undefined)
    throw new Error(`kept container ${name} on ${kept.host} started without a published port`);
  run.ledger.started.set(name, { ...slot, hostPort });
}

/**
 * Stop sending new requests to the container, then wait until every
 * reporting proxy serves that table: only then may a drain count what is
 * still in flight, and a stop not cut a request a proxy is about to send.
 */
async function routeOut(container: OldContainerRef, run: AppRun): Promise<void> {
  const { ctx, ledger } = run;
  ledger.retired.set(container.id, {
    host: container.host,
    name: container.name,
    slot: container.slot,
    stopped: false,
  });
  const version = await run.route.markDraining(container.host, container.name);
  ledger.routedOut.set(container.name, version);
  const options = { pollMs: ROLLOUT_DEFAULTS.proxyPollMs, signal: ctx.signal };
  const lagging = await waitRouteSeen(ctx.proxies, version, ROLLOUT_DEFAULTS.propagationTimeoutMs, options);
  if (lagging.length > 0) {
    ctx.log.warn({ container: container.name, version, lagging }, "proxies did not confirm the route-out in time");
  }
}

async function stop(container: OldContainerRef, run: AppRun): Promise<void> {
  const { ctx, ledger } = run;
  const wasRouted = ledger.retired.has(container.id);
  ledger.retired.set(container.id, { host: container.host, name: container.name, slot: container.slot, stopped: true });
  // Without a timeout the engine uses the container's own: the old version's stopTimeout, not the new spec's.
  await ctx.docker.stop(container.host, container.id);
  await run.route.drop(container.host, container.name);
  if (!wasRouted) ctx.log.debug({ container: container.name }, "stopped a container that was not routed");
}

/**
 * The planner's last steps remove the old containers. An old version this
 * rollout stopped is kept instead, stopped and renamed, for `dockhand
 * rollback` (the executor trims the kept versions to `rollout.retain`).
 */
async function removeOrKeep(container: OldContainerRef, run: AppRun): Promise<void> {
  const { ctx, ledger } = run;
  await run.route.drop(container.host, container.name);
  const old = run.observed.find((c) => c.id === container.id);
  const retain = run.spec?.rollout.retain ?? ROLLOUT_DEFAULTS.retain;
  const keep =
    run.spec !== undefined &&
    retain > 0 &&
    old !== undefined &&
    old.retiredAt === undefined &&
    old.specHash !== run.spec.specHash &&
    ledger.retired.get(container.id)?.stopped === true;
  if (keep) {
    const name = retiredName(container.name, run.retiredAt);
    await ctx.docker.rename(container.host, container.id, name);
    ledger.kept.set(container.id, { host: container.host, name, specHash: old.specHash });
  } else {
    await ctx.docker.remove(container.host, container.id);
  }
  ledger.removed.add(container.id);
}

function required(spec: AppSpec | undefined, step: Step): AppSpec {
  if (spec === undefined) throw new Error(`step ${step.kind} needs the app's spec, and the plan has none`);
  return spec;
}

function startedSlot(ledger: RolloutLedger, name: string): StartedSlot {
  const slot = ledger.started.get(name);
  if (slot === undefined) throw new Error(`container ${name} was not started in this rollout`);
  return slot;
}
