import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import { bearerToken } from "./bearer-token.js";
import { sameSecret } from "./same-secret.js";

/**
 * The preHandler of /metrics: with DOCKHAND_METRICS_TOKEN set, a scrape must
 * send it as a Bearer token (Prometheus: `authorization: { credentials: ... }`);
 * without it, /metrics stays open, like most Prometheus targets.
 */
export function metricsGuard(token: string | undefined): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (token === undefined) return;
    const given = bearerToken(request);
    if (given !== undefined && sameSecret(given, token)) return;
    const message =
      given === undefined
        ? "metrics token required: send Authorization: Bearer <DOCKHAND_METRICS_TOKEN>"
        : "wrong metrics token";
    await reply
      .code(401)
      .header("www-authenticate", 'Bearer realm="dockhand metrics"')
      .send({ error: "DOCKHAND_E_USAGE", message });
  };
}
