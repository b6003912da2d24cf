export {
  ADMIN_AUTH_DEFAULTS,
  AdminAuth,
  type AdminAuthOptions,
  type AdminCheck,
  CSRF_HEADER,
  SESSION_COOKIE,
} from "./admin-auth.js";
export { buildStatus, type HistoryView, type StatusInput } from "./build-status.js";
export { formatDuration, formatTime, shortSha } from "./format.js";
export { createMetrics, METRIC_NAMES, METRICS_DEFAULTS, type Metrics, syncLagSeconds } from "./metrics.js";
export { DASHBOARD_DEFAULTS, type OperationsOptions, operationsRoutes } from "./operations-routes.js";
export { describeActor } from "./render-deploys.js";
export type { AdminSession, SessionStore } from "./session-store.js";
export type { MetricsSource, ProxyTraffic, SeenCommit, StatusSource } from "./sources.js";
export { SSE_DEFAULTS, SseHub } from "./sse-hub.js";
export type * from "./status-types.js";
