import Fastify, { type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { type OperationsOptions, operationsRoutes } from "../http/index.js";
import { type WebhookOptions, webhookRoutes } from "../webhook/index.js";

export interface HttpAppOptions {
  log: Logger;
  webhook: Omit<WebhookOptions, "log">;
  /** Whether dependencies (Redis) answer; drives /readyz. */
  ready: () => Promise<boolean>;
  /** The dashboard, /api/status and /metrics (src/http); absent in processes that serve only webhooks. */
  operations?: OperationsOptions;
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
  return app;
}
