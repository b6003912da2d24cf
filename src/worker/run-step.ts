import { setTimeout as sleep } from "node:timers/promises";
import { type AppSpec, containerLabels, type Step } from "../model/index.js";
import type { AppRouteEditor } from "./app-route-editor.js";
import type { RolloutContext } from "./rollout-context.js";

export interface StartedSlot {
  id: string;
  host: string;
  hostPort: number;
}

/** What one app's rollout has done so far; rollback reads it to undo exactly that. */
export interface RolloutLedger {
  started: Map<string, StartedSlot>;
  /** Old containers taken out of service (routed out or stopped), by container id. */
  retired: Map<string, { host: string; name: string; stopped: boolean }>;
  removed: Set<string>;
}

export function newLedger(): RolloutLedger {
  return { started: new Map(), retired: new Map(), removed: new Set() };
}

export function describeStep(step: Step): string {
  switch (step.kind) {
    case "build":
      return `build ${step.image} on ${step.host}`;
    case "ship":
      return `ship ${step.image} ${step.from} → ${step.to}`;
    case "pull":
      return `pull ${step.image} on ${step.host}`;
    case "setHostnames":
      return `hostnames → ${step.hostnames.join(", ") || "(none)"}`;
    case "drain":
      return `drain ${step.container.name} on ${step.container.host} (${step.ms} ms)`;
    default:
      return `${step.kind} ${step.container.name} on ${step.container.host}`;
  }
}

/** Runs one step of an app's rollout through the ports. */
export async function runStep(
  step: Step,
  spec: AppSpec | undefined,
  ctx: RolloutContext,
  route: AppRouteEditor,
  ledger: RolloutLedger,
): Promise<void> {
  const { docker } = ctx;
  const log = (line: string) => ctx.log.debug({ output: line }, "step output");
  switch (step.kind) {
    case "build": {
      const contextTar = ctx.repo.contextTar(ctx.sha, step.context);
      await docker.build(step.host, step.image, contextTar, step.dockerfile, log);
      return;
    }
    case "ship":
      await docker.ship(step.image, step.from, step.to);
      return;
    case "pull":
      await docker.pull(step.host, step.image, log);
      return;
    case "start": {
      const app = required(spec, step);
      const started = await docker.run(step.container.host, {
        name: step.container.name,
        image: app.image,
        port: app.port,
        environment: app.environment,
        labels: containerLabels({
          instance: ctx.instance,
          app: app.name,
          env: app.env,
          slot: step.container.slot,
          specHash: app.specHash,
          specFields: app.specFields,
          commit: ctx.sha,
        }),
      });
      ledger.started.set(step.container.name, { id: started.id, host: started.host, hostPort: started.hostPort });
      return;
    }
    case "waitHealthy": {
      const app = required(spec, step);
      const slot = startedSlot(ledger, step.container.name);
      await docker.waitHealthy(slot.host, slot.id, app.port, app.health, ctx.signal);
      return;
    }
    case "routeIn": {
      const slot = startedSlot(ledger, step.container.name);
      await route.addActive(slot.host, step.container.name, slot.hostPort);
      return;
    }
    case "routeOut":
      ledger.retired.set(step.container.id, { host: step.container.host, name: step.container.name, stopped: false });
      await route.markDraining(step.container.name);
      return;
    case "drain":
      await sleep(step.ms, undefined, { signal: ctx.signal });
      return;
    case "stop": {
      const retired = ledger.retired.get(step.container.id);
      ledger.retired.set(step.container.id, { host: step.container.host, name: step.container.name, stopped: true });
      await docker.stop(step.container.host, step.container.id);
      await route.drop(step.container.name);
      if (retired === undefined)
        ctx.log.debug({ container: step.container.name }, "stopped a container that was not routed");
      return;
    }
    case "remove":
      await route.drop(step.container.name);
      await docker.remove(step.container.host, step.container.id);
      ledger.removed.add(step.container.id);
      return;
    case "setHostnames":
      await route.setHostnames(step.hostnames);
      return;
  }
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
