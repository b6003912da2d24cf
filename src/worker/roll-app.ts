import {
  type AppChange,
  type AppOutcome,
  type AppRoute,
  DockhandError,
  type ObservedContainer,
  type OutcomeError,
  RolloutError,
  type Step,
} from "../model/index.js";
import { AppRouteEditor } from "./app-route-editor.js";
import type { RolloutContext } from "./rollout-context.js";
import { describeStep, newLedger, type RolloutLedger, runStep } from "./run-step.js";

/**
 * Rolls one app through its planned steps. On any failure it undoes what it
 * did: new containers go, retired old ones come back, so the old version keeps
 * serving (DESIGN.md, "Rollouts").
 */
export async function rollApp(
  change: AppChange,
  observed: ObservedContainer[],
  ctx: RolloutContext,
  storedRoute?: AppRoute,
): Promise<AppOutcome> {
  const began = Date.now();
  const base = { app: change.app, env: change.env };
  const log = ctx.log.child(base);
  const route = AppRouteEditor.fromObserved(
    ctx.routes,
    ctx.hosts,
    { ...base, hostnames: change.spec?.hostnames ?? change.hostnames?.before ?? [] },
    observed,
  );
  const ledger = newLedger();
  let current: Step | undefined;
  try {
    // The first write also heals a route entry that was lost or is stale.
    if (change.kind !== "delete") await route.heal(storedRoute);
    for (const group of groupSteps(change.steps)) {
      current = group[0];
      await Promise.all(
        group.map((step) => timed(step, change, ctx, () => runStep(step, change.spec, ctx, route, ledger))),
      );
    }
    if (change.kind === "delete") await ctx.routes.removeApp(change.env, change.app);
    const status = change.kind === "unchanged" ? "noop" : "succeeded";
    return { ...base, status, durationMs: Date.now() - began };
  } catch (err) {
    const error = toOutcomeError(err);
    log.error({ step: current?.kind, code: error.code, err: error.message }, "rollout step failed; rolling back");
    const restored = await rollBack(change, observed, ctx, route, ledger);
    return {
      ...base,
      status: restored ? "rolledBack" : "failed",
      durationMs: Date.now() - began,
      failedStep: current?.kind,
      error,
    };
  }
}

/** Consecutive steps of one kind are independent (DESIGN: Plan); they run together. */
export function groupSteps(steps: Step[]): Step[][] {
  const groups: Step[][] = [];
  for (const step of steps) {
    const last = groups.at(-1);
    if (last?.[0]?.kind === step.kind) last.push(step);
    else groups.push([step]);
  }
  return groups;
}

async function timed(step: Step, change: AppChange, ctx: RolloutContext, run: () => Promise<void>): Promise<void> {
  const event = { app: change.app, env: change.env, step: describeStep(step) };
  const began = Date.now();
  ctx.onStep?.({ ...event, phase: "start" });
  try {
    await run();
    ctx.onStep?.({ ...event, phase: "done", durationMs: Date.now() - began });
  } catch (err) {
    ctx.onStep?.({ ...event, phase: "failed", durationMs: Date.now() - began });
    throw err;
  }
}

/** Returns whether every retired old container serves again. */
async function rollBack(
  change: AppChange,
  observed: ObservedContainer[],
  ctx: RolloutContext,
  route: AppRouteEditor,
  ledger: RolloutLedger,
): Promise<boolean> {
  let ok = true;
  const attempt = async (what: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (err) {
      ok = false;
      ctx.log.error({ app: change.app, err: String(err) }, `rollback: could not ${what}`);
    }
  };
  for (const [name, slot] of ledger.started) {
    await attempt(`remove new container ${name}`, async () => {
      await route.drop(name);
      await ctx.docker.remove(slot.host, slot.id);
    });
  }
  const port = change.spec?.port;
  for (const [id, old] of ledger.retired) {
    if (ledger.removed.has(id)) continue;
    await attempt(`restore old container ${old.name}`, async () => {
      if (old.stopped) await ctx.docker.start(old.host, id);
      const known = observed.find((c) => c.id === id)?.hostPort;
      const hostPort = port === undefined ? known : ((await ctx.docker.hostPort(old.host, id, port)) ?? known);
      if (hostPort === undefined) throw new Error(`old container ${old.name} has no published port`);
      await route.addActive(old.host, old.name, hostPort);
    });
  }
  return ok;
}

function toOutcomeError(err: unknown): OutcomeError {
  if (err instanceof RolloutError) return { code: err.code, message: err.message, logsTail: err.logsTail };
  if (err instanceof DockhandError) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: "DOCKHAND_E_DOCKER", message };
}
