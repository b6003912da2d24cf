/**
 * Old versions kept for `dockhand rollback` (issue 4): after a rollout, each
 * app keeps the stopped containers of its newest `rollout.retain` previous
 * specs and removes older ones. Keeping the containers also keeps their
 * images on the hosts, so a rollback needs no build or pull.
 */
import type { AppSpec, ObservedContainer } from "../../model/index.js";
import type { RolloutContext } from "./rollout-context.js";
import { ROLLOUT_DEFAULTS } from "./rollout-defaults.js";
import type { RolloutLedger } from "./run-step.js";

export interface KeptContainer {
  id: string;
  host: string;
  name: string;
  specHash: string;
  retiredAt: number;
}

/** The app's kept containers: those observed before the rollout plus those it just retired. */
export function keptContainers(
  observed: readonly ObservedContainer[],
  ledger: RolloutLedger,
  retiredAt: number,
): KeptContainer[] {
  const kept: KeptContainer[] = [];
  const revived = new Set([...ledger.started.values()].map((s) => s.id));
  for (const c of observed) {
    if (c.retiredAt !== undefined && !ledger.removed.has(c.id) && !revived.has(c.id)) {
      kept.push({ id: c.id, host: c.host, name: c.name, specHash: c.specHash, retiredAt: c.retiredAt });
    }
  }
  for (const [id, c] of ledger.kept) kept.push({ id, host: c.host, name: c.name, specHash: c.specHash, retiredAt });
  return kept;
}

/** Containers beyond the newest `retain` versions, and any of the version now running (no use to a rollback). */
export function surplusVersions(kept: readonly KeptContainer[], spec: AppSpec): KeptContainer[] {
  const retain = spec.rollout.retain ?? ROLLOUT_DEFAULTS.retain;
  const newest = new Map<string, number>();
  for (const c of kept) newest.set(c.specHash, Math.max(newest.get(c.specHash) ?? 0, c.retiredAt));
  const versions = [...newest]
    .filter(([hash]) => hash !== spec.specHash)
    .sort((a, b) => b[1] - a[1])
    .slice(0, retain)
    .map(([hash]) => hash);
  const keep = new Set(versions);
  return kept.filter((c) => !keep.has(c.specHash));
}

/** Removes the surplus; failures are logged, not fatal: the next rollout trims again. */
export async function trimVersions(ctx: RolloutContext, spec: AppSpec, kept: readonly KeptContainer[]): Promise<void> {
  const lost = ctx.lostHosts ?? new Set<string>();
  const surplus = surplusVersions(kept, spec).filter((c) => !lost.has(c.host));
  await Promise.all(
    surplus.map((c) =>
      ctx.docker.remove(c.host, c.id).catch((err: unknown) => {
        ctx.log.warn({ app: spec.name, container: c.name, err: String(err) }, "old version not removed");
      }),
    ),
  );
}
