import type { AppChange, ObservedContainer } from "../model/index.js";
import type { AppRouteEditor } from "./app-route-editor.js";
import type { RolloutContext } from "./rollout-context.js";
import type { RolloutLedger } from "./run-step.js";

/**
 * Undo a failed rollout (DESIGN.md, "Rollouts"): new containers go, retired
 * old ones serve again. Nothing is tried on a host found lost: its upstreams
 * leave the route instead. Returns whether every old container serves again.
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
  const attempt = async (what: string, host: string, run: () => Promise<void>) => {
    if (lost.has(host)) {
      ok = false;
      ctx.log.error({ app: change.app, host }, `rollback: cannot ${what}: host ${host} is unreachable`);
      return;
    }
    try {
      await run();
    } catch (err) {
      ok = false;
      ctx.log.error({ app: change.app, err: String(err) }, `rollback: could not ${what}`);
    }
  };
  for (const host of lost) {
    await route.dropHost(host).catch((err: unknown) => {
      ok = false;
      ctx.log.error({ app: change.app, host, err: String(err) }, "rollback: could not drop a lost host's upstreams");
    });
  }
  await Promise.all(
    [...ledger.started].map(([name, slot]) =>
      attempt(`remove new container ${name}`, slot.host, async () => {
        await route.drop(slot.host, name);
        if (slot.revivedFrom === undefined) return ctx.docker.remove(slot.host, slot.id);
        // A kept container `dockhand rollback` brought back goes back to being kept.
        await ctx.docker.stop(slot.host, slot.id);
        await ctx.docker.rename(slot.host, slot.id, slot.revivedFrom);
      }),
    ),
  );
  const port = change.spec?.port;
  const restore = [...ledger.retired].filter(([id]) => !ledger.removed.has(id));
  await Promise.all(
    restore.map(([id, old]) =>
      attempt(`restore old container ${old.name}`, old.host, async () => {
        if (old.stopped) await ctx.docker.start(old.host, id);
        const known = observed.find((c) => c.id === id)?.hostPort;
        const hostPort = port === undefined ? known : ((await ctx.docker.hostPort(old.host, id, port)) ?? known);
        if (hostPort === undefined) throw new Error(`old container ${old.name} has no published port`);
        await route.addActive(old.host, old.name, hostPort);
      }),
    ),
  );
  return ok;
}
