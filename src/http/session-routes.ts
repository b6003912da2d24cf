/**
 * Logging in and out of the dashboard (docs/operations.md#dashboard-and-status):
 * `GET /login` shows a form, `POST /login` takes the token from that form or
 * from JSON `{"token": "..."}` and starts a session, `POST /logout` ends it on
 * the server. The token travels only in a request body, never in an address.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type AdminAuth, CSRF_HEADER, refuse, wantsHtml } from "./admin-auth.js";
import { renderLoginPage } from "./login-page.js";

const FORM = "application/x-www-form-urlencoded";
/** A token and a CSRF field fit many times over; a login is no place for a large body. */
const BODY_LIMIT = 8 * 1024;

export async function sessionRoutes(app: FastifyInstance, auth: AdminAuth): Promise<void> {
  // In a scope of their own, so form bodies are parsed here only (the webhook keeps its raw ones).
  await app.register(async (scope) => {
    scope.addContentTypeParser(FORM, { parseAs: "string", bodyLimit: BODY_LIMIT }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });

    scope.get("/login", async (_request, reply) => {
      if (!auth.enabled) return refuse(reply, "off", true);
      return loginPage(reply, 200, "Log in with the admin token (DOCKHAND_ADMIN_TOKEN).");
    });

    scope.post("/login", { bodyLimit: BODY_LIMIT }, async (request, reply) => {
      const asForm = isForm(request);
      const token = field(request.body, "token");
      if (token === undefined) {
        const message = 'send the admin token as the form field "token" or as JSON {"token": "..."}';
        return asForm ? loginPage(reply, 400, message) : reply.code(400).send({ error: "DOCKHAND_E_USAGE", message });
      }
      const started = await auth.startSession(token, request);
      if (started === "off" || started === "wrong") return refuse(reply, started, asForm || wantsHtml(request));
      reply.header("set-cookie", started.cookie).header("cache-control", "no-store");
      if (asForm) return reply.code(303).header("location", "/").send();
      return reply.send({
        status: "logged in",
        csrf: started.csrf,
        expiresAt: new Date(started.expiresAt).toISOString(),
      });
    });

    scope.post("/logout", { bodyLimit: BODY_LIMIT }, async (request, reply) => {
      const check = await auth.check(request);
      const session = check.result === "ok" ? check.session : undefined;
      if (session) {
        // Logging out changes state like any other request: a cross-site form must not end the admin's session.
        const csrf = request.headers[CSRF_HEADER] ?? field(request.body, "csrf");
        if (!auth.csrfMatches(session, csrf)) {
          const message = "logging out needs the session's CSRF token (X-CSRF-Token, or the form field csrf)";
          return reply.code(403).send({ error: "DOCKHAND_E_USAGE", message });
        }
        await auth.endSession(request);
      }
      reply.header("set-cookie", auth.clearedCookie).header("cache-control", "no-store");
      if (isForm(request)) return reply.code(303).header("location", "/login").send();
      return reply.send({ status: "logged out" });
    });
  });
}

async function loginPage(reply: FastifyReply, code: number, message: string): Promise<void> {
  await reply
    .code(code)
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(renderLoginPage(message).text);
}

function isForm(request: FastifyRequest): boolean {
  return (request.headers["content-type"] ?? "").startsWith(FORM);
}

function field(body: unknown, name: string): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}
