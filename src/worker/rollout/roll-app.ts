import {
  type AppChange,
  type AppOutcome,
  type AppRoute,
  DockhandError,
  type ObservedContainer,
  type OutcomeError,
  RolloutError,
  type Step,
} from "../../model/index.js";
import { hookHost } from "../../planner/index.js";
import { AppRouteEditor } from "./app-route-editor.js";
import { keptContainers, trimVersions } from "./keep-versions.js";
import type { RolloutContext } from "./rollout-context.js";
import { runBeforeDeploy } from "./run-hook.js";
import { type AppRun, describeStep, newLedger, runStep } from "./run-step.js";
import { undoRollout } from "./undo-rollout.js";

type Phase = Step["kind"] | "hook";

const IMAGE_STEPS: ReadonlySet<string> = new Set(["build", "ship", "push", "pull"]);

/**
 * Rolls one app through its planned steps. On any failure it undoes what it
 * did: new containers go, retired old ones come back, so the old version keeps
 * serving (docs/rollouts.md).
 */
export async function rollApp(
  change: AppChange,
  observed: ObservedContainer[],
  ctx: RolloutContext,
  storedRoute?: AppRoute,
  options: Pick<AppRun, "revive"> = {},
): Promise<AppOutcome> {
  const began = Date.now();
  const base = { app: change.app, env: change.env };
  const lost = ctx.lostHosts ?? new Set<string>();
  const route = AppRouteEditor.fromObserved(
    ctx.routes,
    ctx.hosts,
    { ...base, hostnames: change.spec?.hostnames ?? change.hostnames?.before ?? [] },
    observed.filter((c) => !lost.has(c.host)),
    lost,
    storedRoute,
  );
  // One failing step stops its siblings (a slow health wait on another host) at once.
  const abort = new AbortController();
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, abort.signal]) : abort.signal;
  const run: AppRun = {
    spec: change.spec,
    ctx: { ...ctx, signal },
    route,
    ledger: newLedger(),
    observed,
    retiredAt: began,
    ...options,
  };
  const phase: { current?: Phase } = {};
  try {
    // The first write also heals a route entry that was lost or is stale.
    if (change.kind !== "delete") await route.heal(storedRoute);
    const { main, cleanup } = splitCleanup(change.steps);
    await runMain(change, run, main, abort, phase);
    await runCleanup(change, run, cleanup);
    if (change.kind === "delete") await ctx.routes.removeApp(change.env, change.app);
    const status = change.kind === "unchanged" ? "noop" : "succeeded";
    return { ...base, status, durationMs: Date.now() - began };
  } catch (err) {
    const error = toOutcomeError(err);
    ctx.log.error(
      { ...base, step: phase.current, code: error.code, err: error.message },
      "rollout failed; rolling back",
    );
    const restored = await undoRollout(change, observed, ctx, route, run.ledger);
    return {
      ...base,
      status: restored ? "rolledBack" : "failed",
      durationMs: Date.now() - began,
      failedStep: phase.current,
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

/** The trailing removes: by then every slot serves the new version, so their failure is no reason to roll back. */
function splitCleanup(steps: Step[]): { main: Step[]; cleanup: Step[] } {
  let end = steps.length;
  while (end > 0 && steps[end - 1]?.kind === "remove") end--;
  return { main: steps.slice(0, end), cleanup: steps.slice(end) };
}

async function runMain(
  change: AppChange,
  run: AppRun,
  steps: Step[],
  abort: AbortController,
  phase: { current?: Phase },
): Promise<void> {
  const hookAt = change.spec?.hooks?.beforeDeploy ? hookHost(change) : undefined;
  let hookDone = hookAt === undefined;
  for (const group of groupSteps(steps)) {
    // Once the image is on the hosts, before anything starts, stops or moves traffic.
    if (!hookDone && !IMAGE_STEPS.has(group[0]?.kind ?? "build") && hookAt !== undefined) {
      phase.current = "hook";
      await timed(change, run.ctx, `hook beforeDeploy on ${hookAt}`, hookAt, () =>
        runBeforeDeploy(change, run.ctx, hookAt),
      );
      hookDone = true;
    }
    phase.current = group[0]?.kind;
    await settleAll(
      group.map((step) => timed(change, run.ctx, describeStep(step), stepHost(step), () => runStep(step, run))),
      abort,
    );
  }
}

async function runCleanup(change: AppChange, run: AppRun, steps: Step[]): Promise<void> {
  const results = await Promise.allSettled(
    steps.map((step) => timed(change, run.ctx, describeStep(step), stepHost(step), () => runStep(step, run))),
  );
  for (const r of results) {
    if (r.status === "rejected") {
      run.ctx.log.warn({ app: change.app, err: String(r.reason) }, "old container not removed; the next sync retries");
    }
  }
  if (run.spec) await trimVersions(run.ctx, run.spec, keptContainers(run.observed, run.ledger, run.retiredAt));
}

/**
 * Waits for every step of a group, so a failure never leaves a sibling
 * running unseen (a start whose container rollback would then miss). The
 * first failure aborts the others and is the one reported.
 */
async function settleAll(promises: Promise<void>[], abort: AbortController): Promise<void> {
  let first: { err: unknown } | undefined;
  await Promise.all(
    promises.map((p) =>
      p.catch((err: unknown) => {
        first ??= { err };
        abort.abort(new Error("another step of this rollout failed"));
      }),
    ),
  );
  if (first) throw first.err;
}

/** The host a step acts on, so an unreachable one can be marked lost (a ship names two: left unmarked). */
function stepHost(step: Step): string | undefined {
  if (step.kind === "build" || step.kind === "pull" || step.kind === "push") return step.host;
  if (step.kind === "ship" || step.kind === "setHostnames") return undefined;
  return step.container.host;
}

async function timed(
  change: AppChange,
  ctx: RolloutContext,
  step: string,
  host: string | undefined,
  run: () => Promise<void>,
): Promise<void> {
  const event = { app: change.app, env: change.env, step };
  const began = Date.now();
  ctx.onStep?.({ ...event, phase: "start" });
  try {
    await run();
    ctx.onStep?.({ ...event, phase: "done", durationMs: Date.now() - began });
  } catch (err) {
    ctx.onStep?.({ ...event, phase: "failed", durationMs: Date.now() - began });
    if (host !== undefined && err instanceof DockhandError && err.code === "DOCKHAND_E_HOST_UNREACHABLE") {
      ctx.lostHosts?.add(host);
    }
    throw err;
  }
}

function toOutcomeError(err: unknown): OutcomeError {
  if (err instanceof RolloutError) {
    return {
      code: err.code,
      message: err.message,
      ...(err.logsTail ? { logsTail: err.logsTail } : {}),
      ...(err.healthLog ? { healthLog: err.healthLog } : {}),
    };
  }
  if (err instanceof DockhandError) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: "DOCKHAND_E_DOCKER", message };
}
