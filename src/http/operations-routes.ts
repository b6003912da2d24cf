/**
 * The operator's HTTP surface (issue 8): `GET /` (the dashboard), `GET
 * /events` (its live updates), `GET /api/status` and `GET /metrics`. The
 * dashboard and the status API sit behind DOCKHAND_ADMIN_TOKEN; /metrics is
 * open, like most Prometheus targets (keep the port off the internet).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AdminAuth, refuse } from "./admin-auth.js";
import { createMetrics } from "./metrics.js";
import { renderDashboardBody, renderDashboardPage } from "./render-dashboard.js";
import type { MetricsSource, StatusSource } from "./sources.js";
import { SseHub } from "./sse-hub.js";

export const DASHBOARD_DEFAULTS = {
  /** The dashboard shows containers observed at most this long ago. */
  observedMaxAgeMs: 1_500,
} as const;

export interface OperationsOptions {
  /** DOCKHAND_ADMIN_TOKEN; without it the dashboard and /api/status answer 403. */
  adminToken?: string;
  status: StatusSource;
  metrics: MetricsSource;
  /** Where render failures of the live dashboard are reported. */
  onError?: (err: Error) => void;
}

export async function operationsRoutes(app: FastifyInstance, options: OperationsOptions): Promise<void> {
  const auth = new AdminAuth(options.adminToken);
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

  app.get("/metrics", async (_request, reply) => {
    const text = await metrics.render();
    return reply.type(metrics.contentType).send(text);
  });

  app.get("/api/status", { preHandler: auth.guard }, async () => fresh());

  app.get("/", async (request: FastifyRequest<{ Querystring: { token?: string } }>, reply) => {
    const token = request.query.token;
    if (token !== undefined) return login(auth, token, request, reply);
    const check = auth.check(request);
    if (check !== "ok") return refuse(reply, check, true);
    return reply.type("text/html; charset=utf-8").send(renderDashboardPage(await fresh(), "/events").text);
  });

  app.get("/events", { preHandler: auth.guard }, async (_request, reply) => {
    reply.hijack();
    hub.add(reply.raw);
  });
}

/** `/?token=`: a right token sets the session cookie and leaves the token out of the address bar. */
async function login(auth: AdminAuth, token: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!auth.enabled) return refuse(reply, "off", true);
  if (!auth.matches(token)) return refuse(reply, "wrong", true);
  await reply.code(303).header("set-cookie", auth.sessionCookie(request)).header("location", "/").send();
}
