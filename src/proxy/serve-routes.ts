/**
 * Keeps a proxy's routes in step with the route store: the snapshot first (so
 * a proxy started before Redis serves its last known routes at once), then
 * the store's table and every change after it.
 */
import type { RouteStore, RouteTable } from "../model/index.js";
import type { ProxyLog } from "./proxy-log.js";

/** Anything that serves a route table: the built-in proxy, the nginx and Caddy drivers. */
export interface RouteSink {
  setRoutes(table: RouteTable): boolean | Promise<unknown>;
}

/** A store that may also keep a local snapshot (RedisRouteStore with snapshotFile). */
export type SnapshotRouteStore = RouteStore & { loadSnapshot?(): Promise<RouteTable | undefined> };

export interface ServeRoutesOptions {
  log?: ProxyLog;
}

/**
 * Resolves once routes are being served: right after the snapshot when there is
 * one (the store is then followed in the background), else after the store's
 * first table. Returns a function that stops following the store.
 */
export async function serveRoutes(
  sink: RouteSink,
  store: SnapshotRouteStore,
  options: ServeRoutesOptions = {},
): Promise<() => Promise<void>> {
  const log = options.log;
  let stopped = false;
  let unsubscribe: (() => Promise<void>) | undefined;
  const apply = (table: RouteTable): void => {
    if (stopped) return;
    Promise.resolve(sink.setRoutes(table)).catch((err: unknown) =>
      log?.error({ version: table.version, err: (err as Error).message }, "routes not applied"),
    );
  };

  const snapshot = await loadSnapshot(store, log);
  if (snapshot !== undefined) apply(snapshot);

  const follow = (async () => {
    // Subscribe before loading, so a change between the two is not missed.
    const stop = await store.subscribe(apply);
    if (stopped) return stop();
    unsubscribe = stop;
    apply(await store.load());
  })();

  if (snapshot === undefined) await follow;
  else follow.catch((err: unknown) => log?.error({ err: (err as Error).message }, "route store not followed"));

  return async () => {
    stopped = true;
    await unsubscribe?.();
  };
}

async function loadSnapshot(store: SnapshotRouteStore, log: ProxyLog | undefined): Promise<RouteTable | undefined> {
  if (!store.loadSnapshot) return undefined;
  try {
    return await store.loadSnapshot();
  } catch (err) {
    log?.warn({ err: (err as Error).message }, "route snapshot unreadable; waiting for the route store");
    return undefined;
  }
}
