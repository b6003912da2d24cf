/**
 * `dockhand rollback <app>` (issue 4): back to the newest kept version of
 * the app. Its stopped containers get their names back and start, pass the
 * health gate and take over slot by slot, exactly like a rollout (route in,
 * route out, drain, stop); the containers they replace are kept in turn. A
 * failure undoes it like a failed rollout.
 */
import {
  type AppChange,
  type AppOutcome,
  type AppRoute,
  type AppSpec,
  DockhandError,
  type NewContainerRef,
  type ObservedContainer,
  type OldContainerRef,
  parseRetiredName,
  type Step,
} from "../../model/index.js";
import { SecretMask } from "../secrets/secret-mask.js";
import { rollApp } from "./roll-app.js";
import type { RolloutContext } from "./rollout-context.js";

export interface KeptVersion {
  specHash: string;
  /** Deploy repo commit the version was deployed from. */
  commit: string;
  retiredAt: number;
  containers: ObservedContainer[];
}

/** The newest kept version that is not the one running now. */
export function previousVersion(containers: readonly ObservedContainer[]): KeptVersion | undefined {
  const running = new Set(containers.filter((c) => c.retiredAt === undefined).map((c) => c.specHash));
  const versions = new Map<string, KeptVersion>();
  for (const c of containers) {
    if (c.retiredAt === undefined || running.has(c.specHash)) continue;
    const v = versions.get(c.specHash) ?? { specHash: c.specHash, commit: c.commit, retiredAt: 0, containers: [] };
    v.retiredAt = Math.max(v.retiredAt, c.retiredAt);
    v.containers.push(c);
    versions.set(c.specHash, v);
  }
  return [...versions.values()].sort((a, b) => b.retiredAt - a.retiredAt)[0];
}

const byHostAndSlot = (a: ObservedContainer, b: ObservedContainer) => a.slot - b.slot || a.host.localeCompare(b.host);

function oldRef(c: ObservedContainer): OldContainerRef {
  return { host: c.host, id: c.id, name: c.name, slot: c.slot };
}

/**
 * Per batch: bring back, health, route in; then route out, drain, stop what ran in those slots; keep it last.
 * Under `recreate` what ran in the slots stops first (routed out and drained only when the app has hostnames),
 * and a worker is never routed.
 */
export function rollbackSteps(spec: AppSpec, current: readonly ObservedContainer[], back: KeptVersion): Step[] {
  const steps: Step[] = [];
  const revived = [...back.containers].sort(byHostAndSlot);
  const live = current.filter((c) => c.state === "running" || c.state === "restarting" || c.state === "paused");
  const handled = new Set<ObservedContainer>();
  const recreate = spec.rollout.strategy === "recreate";
  const routed = spec.port !== undefined && (!recreate || spec.hostnames.length > 0);
  const retire = (olds: ObservedContainer[]) => {
    for (const kind of routed ? (["routeOut", "drain", "stop"] as const) : (["stop"] as const)) {
      for (const c of olds)
        steps.push(
          kind === "drain" ? { kind, container: oldRef(c), ms: spec.rollout.drainMs } : { kind, container: oldRef(c) },
        );
    }
    for (const c of olds) handled.add(c);
  };
  const bringUp =
    spec.port === undefined ? (["start", "waitHealthy"] as const) : (["start", "waitHealthy", "routeIn"] as const);
  const batch = Math.max(1, spec.rollout.batch);
  for (let i = 0; i < revived.length; i += batch) {
    const news: NewContainerRef[] = revived.slice(i, i + batch).map((c) => ({
      host: c.host,
      name: parseRetiredName(c.name)?.name ?? c.name,
      slot: c.slot,
    }));
    const inSlots = () => live.filter((c) => !handled.has(c) && news.some((n) => n.slot === c.slot));
    if (recreate) retire(inSlots());
    for (const kind of bringUp) for (const container of news) steps.push({ kind, container });
    if (!recreate) retire(inSlots());
  }
  retire(live.filter((c) => !handled.has(c)));
  for (const c of current) steps.push({ kind: "remove", container: oldRef(c) });
  return steps;
}

export interface RollbackResult {
  outcome: AppOutcome;
  to: KeptVersion;
}

/**
 * `spec` is the app as the deploy repo has it now: its health gate, port,
 * drain and hostnames apply; its image and env do not (the kept containers
 * have their own). `containers` are the app's observed containers.
 */
export async function rollBackApp(
  spec: AppSpec,
  containers: ObservedContainer[],
  ctx: RolloutContext,
  storedRoute?: AppRoute,
): Promise<RollbackResult> {
  const back = previousVersion(containers);
  if (!back) {
    throw new DockhandError(
      "DOCKHAND_E_USAGE",
      `no earlier version of ${spec.name} (${spec.env}) is kept on the hosts to go back to: ` +
        "rollouts keep the last rollout.retain versions, stopped; see dockhand observe",
    );
  }
  const current = containers.filter((c) => c.retiredAt === undefined);
  // The version gone back to: its hash, so keeping and trimming treat the replaced containers as the old ones.
  const { hooks: _hooks, ...rest } = spec;
  const backSpec: AppSpec = { ...rest, specHash: back.specHash };
  const change: AppChange = {
    app: spec.name,
    env: spec.env,
    kind: "update",
    reasons: [`rollback to ${back.specHash.slice(0, 8)} (commit ${back.commit.slice(0, 12)})`],
    slots: [],
    steps: rollbackSteps(backSpec, current, back),
    spec: backSpec,
  };
  const revive = new Map(back.containers.map((c) => [parseRetiredName(c.name)?.name ?? c.name, c]));
  // The kept containers print what they were given, as a rollout's do: masked with today's values.
  const mask = new SecretMask(ctx.secrets);
  const outcome = await rollApp(change, containers, { ...ctx, log: mask.logger(ctx.log) }, storedRoute, { revive });
  return { outcome: mask.value(outcome), to: back };
}
