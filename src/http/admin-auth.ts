/**
 * DOCKHAND_ADMIN_TOKEN guards the dashboard and the admin API. A request
 * proves it knows the token with `Authorization: Bearer <token>`, or with the
 * session cookie that a `?token=` login sets. The cookie holds an HMAC of the
 * token, not the token, so a leaked cookie is not the API credential.
 * Without a configured token, the guarded routes are off (403), never open.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { html } from "./html.js";

export const SESSION_COOKIE = "dockhand_session";
/** A session lasts a working week; log in again with ?token= after that. */
const SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;

export type AdminCheck = "ok" | "off" | "missing" | "wrong";

export class AdminAuth {
  private readonly session: string | undefined;

  constructor(private readonly token: string | undefined) {
    this.session = token === undefined ? undefined : sessionValue(token);
  }

  get enabled(): boolean {
    return this.token !== undefined;
  }

  check(request: FastifyRequest): AdminCheck {
    if (this.token === undefined || this.session === undefined) return "off";
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "")?.[1]?.trim();
    if (bearer !== undefined) return same(bearer, this.token) ? "ok" : "wrong";
    const cookie = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (cookie !== undefined) return same(cookie, this.session) ? "ok" : "wrong";
    return "missing";
  }

  /** Whether `candidate` is the token (for the ?token= login). */
  matches(candidate: string): boolean {
    return this.token !== undefined && same(candidate, this.token);
  }

  sessionCookie(request: FastifyRequest): string {
    const secure = request.protocol === "https" ? "; Secure" : "";
    return `${SESSION_COOKIE}=${this.session ?? ""}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_AGE_SECONDS}${secure}`;
  }

  /** A preHandler: lets the request through, or answers 403 (off) or 401 (no or wrong credentials). */
  readonly guard = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const result = this.check(request);
    if (result === "ok") return;
    await refuse(reply, result, wantsHtml(request));
  };
}

export async function refuse(reply: FastifyReply, result: Exclude<AdminCheck, "ok">, asHtml: boolean): Promise<void> {
  if (result === "off") {
    const message = "the dashboard and admin API are off: set DOCKHAND_ADMIN_TOKEN to turn them on";
    await reply.code(403).send({ error: "DOCKHAND_E_USAGE", message });
    return;
  }
  const message =
    result === "wrong"
      ? "wrong admin token"
      : "admin token required: send Authorization: Bearer <DOCKHAND_ADMIN_TOKEN>, or open /?token=<DOCKHAND_ADMIN_TOKEN> once";
  reply.code(401).header("www-authenticate", 'Bearer realm="dockhand"');
  if (asHtml) await reply.type("text/html; charset=utf-8").send(loginPage(message).text);
  else await reply.send({ error: "DOCKHAND_E_USAGE", message });
}

export function wantsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? "").includes("text/html");
}

export function loginPage(message: string) {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>dockhand · log in</title></head>
<body style="font: 14px system-ui, sans-serif; padding: 2rem"><h1>dockhand</h1><p>${message}</p>
<form method="get" action="/"><label>Admin token <input type="password" name="token" autocomplete="current-password"></label>
<button type="submit">Log in</button></form></body></html>`;
}

function sessionValue(token: string): string {
  return createHmac("sha256", token).update("dockhand dashboard session v1").digest("hex");
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return safeDecode(part.slice(at + 1).trim());
  }
  return undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
