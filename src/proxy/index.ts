export { BuiltinProxy, type BuiltinProxyOptions } from "./builtin-proxy.js";
export { buildHostIndex, type HostIndex, normalizeHost } from "./host-index.js";
export * from "./proxy-defaults.js";
export type { ProxyLog } from "./proxy-log.js";
export { DEFAULT_ROUTE_PREFIX, RedisRouteStore, type RedisRouteStoreOptions } from "./redis-route-store.js";
export { readRouteSnapshot, writeRouteSnapshot } from "./route-snapshot.js";
export { type RouteSink, type ServeRoutesOptions, serveRoutes } from "./serve-routes.js";
export type { BalanceStrategy } from "./upstream-balancer.js";
