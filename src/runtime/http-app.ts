import Fastify, { type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { type ApiOptions, apiRoutes } from "../api/index.js";
import { AdminAuth, type OperationsOptions, operationsRoutes } from "../http/index.js";
import { type WebhookOptions, webhookRoutes } from "../webhook/index.js";

export interface HttpAppOptions {
  log: Logger;
  webhook: Omit<WebhookOptions, "log">;
  /** Whether dependencies (Redis) answer; drives /readyz. */
  ready: () => Promise<boolean>;
  /** The dashboard, /api/status and /metrics (src/http); absent in processes that serve only webhooks. */
  operations?: OperationsOptions;
  /**
   * POST /api/sync and DELETE /api/jobs/:id (src/api), behind the same admin
   * guard as the dashboard (operations.auth): Bearer, or a session plus its
   * CSRF token. Without operations the API is off (403).
   */
  api?: Omit<ApiOptions, "guard">;
}

/** The HTTP side of `dockhand serve`, built without listening so tests can inject(). */
export async function buildHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  // Fastify's own request logging stays off: the webhook logs each delivery with its outcome.
  const app = Fastify({ logger: false });
  await webhookRoutes(app, { ...options.webhook, log: options.log.child({ component: "webhook" }) });
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    const ready = await options.ready().catch(() => false);
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready" });
  });
  if (options.operations) await operationsRoutes(app, options.operations);
  if (options.api) {
    const auth = options.operations?.auth ?? new AdminAuth();
    await app.register(apiRoutes, { ...options.api, guard: auth.guard });
  }
  return app;
}
