import type { AppChange, ObservedContainer } from "../../model/index.js";
import type { AppRouteEditor } from "./app-route-editor.js";
import type { RolloutContext } from "./rollout-context.js";
import type { RetiredSlot, RolloutLedger } from "./run-step.js";

/**
 * Undo a failed rollout (docs/rollouts.md): new containers go, retired
 * old ones serve again. Nothing is tried on a host found lost: its upstreams
 * leave the route instead. Under `recreate` a stopped old container starts
 * again only once every new container of its slot is gone: never two
 * containers of a slot on one volume or fixed port, even when a removal
 * fails (the slot then stays down, and the outcome says the rollback did not
 * restore it). Returns whether every old container serves again.
 */
export async function undoRollout(
  change: AppChange,
  observed: readonly ObservedContainer[],
  ctx: RolloutContext,
  route: AppRouteEditor,
  ledger: RolloutLedger,
): Promise<boolean> {
  let ok = true;
  const lost = ctx.lostHosts ?? new Set<string>();
  const attempt = async (what: string, host: string, run: () => Promise<void>): Promise<boolean> => {
    if (lost.has(host)) {
      ok = false;
      ctx.log.error({ app: change.app, host }, `rollback: cannot ${what}: host ${host} is unreachable`);
      return false;
    }
    try {
      await run();
      return true;
    } catch (err) {
      ok = false;
      ctx.log.error({ app: change.app, err: String(err) }, `rollback: could not ${what}`);
      return false;
    }
  };
  for (const host of lost) {
    await route.dropHost(host).catch((err: unknown) => {
      ok = false;
      ctx.log.error({ app: change.app, host, err: String(err) }, "rollback: could not drop a lost host's upstreams");
    });
  }
  const stillUp = new Set<number>();
  await Promise.all(
    [...ledger.started].map(async ([name, slot]) => {
      const gone = await attempt(`remove new container ${name}`, slot.host, async () => {
        await route.drop(slot.host, name);
        if (slot.revivedFrom === undefined) return ctx.docker.remove(slot.host, slot.id);
        // A kept container `dockhand rollback` brought back goes back to being kept.
        await ctx.docker.stop(slot.host, slot.id);
        await ctx.docker.rename(slot.host, slot.id, slot.revivedFrom);
      });
      if (!gone) stillUp.add(slot.slot);
    }),
  );
  const recreate = change.spec?.rollout.strategy === "recreate";
  const restore = [...ledger.retired].filter(([id]) => !ledger.removed.has(id));
  await Promise.all(
    restore.map(async ([id, old]) => {
      if (recreate && old.stopped && stillUp.has(old.slot)) {
        ok = false;
        const why = "its slot's new container may still run, and recreate never runs two";
        ctx.log.error(
          { app: change.app, slot: old.slot, container: old.name },
          `rollback: ${old.name} left stopped: ${why}`,
        );
        return;
      }
      await attempt(`restore old container ${old.name}`, old.host, () =>
        restoreOld(id, old, change, observed, ctx, route),
      );
    }),
  );
  return ok;
}

/** Start it again if it was stopped, and route it back in when the app is routed (a worker is not). */
async function restoreOld(
  id: string,
  old: RetiredSlot,
  change: AppChange,
  observed: readonly ObservedContainer[],
  ctx: RolloutContext,
  route: AppRouteEditor,
): Promise<void> {
  if (old.stopped) await ctx.docker.start(old.host, id);
  const known = observed.find((c) => c.id === id)?.hostPort;
  const spec = change.spec;
  if (spec !== undefined && spec.port === undefined && known === undefined) return;
  const port = spec?.port;
  const hostPort = port === undefined ? known : ((await ctx.docker.hostPort(old.host, id, port)) ?? known);
  if (hostPort === undefined) throw new Error(`old container ${old.name} has no published port`);
  await route.addActive(old.host, old.name, hostPort);
}
