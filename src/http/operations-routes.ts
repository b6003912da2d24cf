/**
 * The operator's HTTP surface: `GET /` (the dashboard), `GET /events` (its
 * live updates), `GET /api/status`, `GET /metrics`, and logging in and out
 * (session-routes.ts). The dashboard and the status API sit behind the admin
 * token (admin-auth.ts); /metrics behind DOCKHAND_METRICS_TOKEN when it is
 * set, else it is open, like most Prometheus targets (keep the port private).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type AdminAuth, refuse, wantsHtml } from "./admin-auth.js";
import { renderLoginPage } from "./login-page.js";
import { createMetrics } from "./metrics.js";
import { metricsGuard } from "./metrics-guard.js";
import { renderDashboardBody, renderDashboardPage } from "./render-dashboard.js";
import { sessionRoutes } from "./session-routes.js";
import type { MetricsSource, StatusSource } from "./sources.js";
import { SseHub } from "./sse-hub.js";

export const DASHBOARD_DEFAULTS = {
  /** The dashboard shows containers observed at most this long ago. */
  observedMaxAgeMs: 1_500,
} as const;

export interface OperationsOptions {
  /** The admin token and sessions; with no token the dashboard and /api/status answer 403. */
  auth: AdminAuth;
  /** DOCKHAND_METRICS_TOKEN; without it /metrics is open. */
  metricsToken?: string;
  status: StatusSource;
  metrics: MetricsSource;
  /** Where render failures of the live dashboard are reported. */
  onError?: (err: Error) => void;
}

export async function operationsRoutes(app: FastifyInstance, options: OperationsOptions): Promise<void> {
  const { auth } = options;
  const metrics = createMetrics(options.status, options.metrics);
  const fresh = () => options.status.snapshot({ maxAgeMs: DASHBOARD_DEFAULTS.observedMaxAgeMs });
  const hub = new SseHub({
    // A deploy step changed the hosts: observe them again rather than show what ran a moment ago.
    render: async (reason) =>
      renderDashboardBody(
        await options.status.snapshot({ maxAgeMs: reason === "change" ? 0 : DASHBOARD_DEFAULTS.observedMaxAgeMs }),
      ).text,
    subscribe: options.status.subscribe?.bind(options.status),
    onError: options.onError,
  });
  // Open event streams would keep the server from closing.
  app.addHook("preClose", async () => hub.close());

  await sessionRoutes(app, auth);

  app.get("/metrics", { preHandler: metricsGuard(options.metricsToken) }, async (_request, reply) => {
    const text = await metrics.render();
    return reply.type(metrics.contentType).send(text);
  });

  app.get("/api/status", { preHandler: auth.guard }, async () => fresh());

  app.get("/", async (request: FastifyRequest<{ Querystring: { token?: string } }>, reply) => {
    if (request.query.token !== undefined && auth.enabled) return refuseTokenInAddress(request, reply);
    const check = await auth.check(request);
    if (check.result !== "ok") return refuse(reply, check.result, true, auth);
    const page = renderDashboardPage(await fresh(), "/events", check.session && { csrf: check.session.csrf });
    return reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(page.text);
  });

  app.get("/events", { preHandler: auth.guard }, async (_request, reply) => {
    reply.hijack();
    hub.add(reply.raw);
  });
}

/**
 * `/?token=` once logged in; no more: the token stayed in the browser's
 * history and in the logs of every proxy on the way. The answer points to
 * /login, sets no cookie and never repeats the token.
 */
async function refuseTokenInAddress(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const message =
    "logging in with ?token= in the address is turned off (the token would stay in browser history and logs): " +
    "log in at /login, or send Authorization: Bearer <DOCKHAND_ADMIN_TOKEN>";
  reply.code(400).header("cache-control", "no-store").header("referrer-policy", "no-referrer");
  if (wantsHtml(request)) await reply.type("text/html; charset=utf-8").send(renderLoginPage(message).text);
  else await reply.send({ error: "DOCKHAND_E_USAGE", message });
}
