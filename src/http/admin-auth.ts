/**
 * DOCKHAND_ADMIN_TOKEN guards the dashboard and the admin API
 * (docs/operations.md#dashboard-and-status). A request proves it knows the
 * token with `Authorization: Bearer <token>`, or carries the cookie of a
 * session made by POST /login. The cookie holds only a random id; the session
 * (its expiry, its CSRF token, the token it was made with) is kept in the
 * SessionStore, so logging out, expiry or a new token ends it even when the
 * cookie is replayed. A cookie alone never changes state: such requests need
 * the session's CSRF token too. Without a token the guarded routes are off
 * (403), never open.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { DockhandError } from "../model/index.js";
import { bearerToken } from "./bearer-token.js";
import { renderLoginPage } from "./login-page.js";
import { sameSecret } from "./same-secret.js";
import type { AdminSession, SessionStore } from "./session-store.js";

export const SESSION_COOKIE = "dockhand_session";
/** Where a session's CSRF token goes back on requests that change state. */
export const CSRF_HEADER = "x-csrf-token";

export const ADMIN_AUTH_DEFAULTS = {
  /** DOCKHAND_SESSION_TTL: a session ends this long after its login, however busy. */
  sessionTtlMs: 12 * 60 * 60 * 1000,
} as const;

/** 32 random bytes in base64url: anything else in the cookie is not worth a Redis lookup. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface AdminAuthOptions {
  /** DOCKHAND_ADMIN_TOKEN; without it the dashboard and admin API answer 403. */
  token?: string;
  /** Where sessions live; without it only Bearer tokens are accepted and nobody can log in. */
  sessions?: SessionStore;
  /** DOCKHAND_SESSION_TTL; default 12 h. */
  sessionTtlMs?: number;
  /** `Secure` on the cookie (sent over HTTPS only); false only with DOCKHAND_INSECURE_COOKIES=1. Default true. */
  secureCookies?: boolean;
}

export type AdminRefusal = "off" | "missing" | "wrong" | "ended";

export type AdminCheck = { result: "ok"; session?: AdminSession } | { result: AdminRefusal };

export interface StartedSession {
  /** The Set-Cookie value. */
  cookie: string;
  csrf: string;
  /** Epoch ms. */
  expiresAt: number;
}

export class AdminAuth {
  readonly sessionTtlMs: number;
  private readonly token: string | undefined;
  private readonly tokenDigest: string | undefined;
  private readonly sessions: SessionStore | undefined;
  private readonly secure: boolean;

  constructor(options: AdminAuthOptions = {}) {
    const ttl = options.sessionTtlMs ?? ADMIN_AUTH_DEFAULTS.sessionTtlMs;
    if (!Number.isInteger(ttl) || ttl <= 0) {
      throw new DockhandError("DOCKHAND_E_USAGE", `sessionTtlMs must be a positive whole number of ms, got ${ttl}`);
    }
    this.token = options.token;
    // Keyed by the token, so the store never holds anything a token could be read back from cheaply.
    this.tokenDigest =
      options.token === undefined
        ? undefined
        : createHmac("sha256", options.token).update("dockhand admin session v2").digest("base64url");
    this.sessions = options.sessions;
    this.sessionTtlMs = ttl;
    this.secure = options.secureCookies ?? true;
  }

  get enabled(): boolean {
    return this.token !== undefined;
  }

  async check(request: FastifyRequest): Promise<AdminCheck> {
    if (this.token === undefined) return { result: "off" };
    const bearer = bearerToken(request);
    if (bearer !== undefined) return { result: sameSecret(bearer, this.token) ? "ok" : "wrong" };
    const id = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (id === undefined) return { result: "missing" };
    const session = await this.findSession(id);
    return session ? { result: "ok", session } : { result: "ended" };
  }

  /** Checks `candidate` against the token and starts a new session; ends the one the request came with. */
  async startSession(candidate: string, request: FastifyRequest): Promise<StartedSession | "off" | "wrong"> {
    if (this.token === undefined || this.tokenDigest === undefined) return "off";
    if (!sameSecret(candidate, this.token)) return "wrong";
    if (!this.sessions) throw new DockhandError("DOCKHAND_E_USAGE", "logging in needs a session store");
    await this.endSession(request);
    const id = randomBytes(32).toString("base64url");
    const session: AdminSession = {
      csrf: randomBytes(32).toString("base64url"),
      tokenDigest: this.tokenDigest,
      createdAt: Date.now(),
    };
    await this.sessions.save(storeKey(id), session, this.sessionTtlMs);
    const maxAge = Math.ceil(this.sessionTtlMs / 1000);
    return { cookie: this.cookie(id, maxAge), csrf: session.csrf, expiresAt: session.createdAt + this.sessionTtlMs };
  }

  /** Removes the request's session from the store, so its cookie is refused from now on. */
  async endSession(request: FastifyRequest): Promise<void> {
    const id = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (id !== undefined && SESSION_ID.test(id)) await this.sessions?.remove(storeKey(id));
  }

  /** The Set-Cookie value that makes the browser forget its session cookie. */
  get clearedCookie(): string {
    return this.cookie("", 0);
  }

  /** Whether `given` is the session's CSRF token. */
  csrfMatches(session: AdminSession, given: unknown): boolean {
    return typeof given === "string" && sameSecret(given, session.csrf);
  }

  /**
   * A preHandler: lets the request through, or answers 403 (off, or a
   * session without its CSRF token on a request that changes state) or 401
   * (no, wrong or ended credentials).
   */
  readonly guard = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const check = await this.check(request);
    if (check.result !== "ok") return refuse(reply, check.result, wantsHtml(request), this);
    if (check.session && !SAFE_METHODS.has(request.method)) {
      if (!this.csrfMatches(check.session, request.headers[CSRF_HEADER])) await refuseWithoutCsrf(reply);
    }
  };

  private async findSession(id: string): Promise<AdminSession | undefined> {
    if (!this.sessions || !SESSION_ID.test(id) || this.tokenDigest === undefined) return undefined;
    const session = await this.sessions.load(storeKey(id));
    return session && sameSecret(session.tokenDigest, this.tokenDigest) ? session : undefined;
  }

  private cookie(value: string, maxAgeSeconds: number): string {
    const secure = this.secure ? "; Secure" : "";
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`;
  }
}

/** Sessions are stored under a hash of their id: whoever reads the store cannot use what is in it as a cookie. */
function storeKey(id: string): string {
  return createHash("sha256").update(id).digest("base64url");
}

const REFUSALS: Record<AdminRefusal, { code: number; message: string }> = {
  off: { code: 403, message: "the dashboard and admin API are off: set DOCKHAND_ADMIN_TOKEN to turn them on" },
  missing: {
    code: 401,
    message: "admin token required: send Authorization: Bearer <DOCKHAND_ADMIN_TOKEN>, or log in at /login",
  },
  wrong: { code: 401, message: "wrong admin token" },
  ended: {
    code: 401,
    message: "the session has ended (logged out, expired, or the admin token changed): log in again at /login",
  },
};

/** Answers a refused request: JSON, or the login form for a browser; an ended session's cookie is cleared. */
export async function refuse(
  reply: FastifyReply,
  result: AdminRefusal,
  asHtml: boolean,
  auth?: AdminAuth,
): Promise<void> {
  const { code, message } = REFUSALS[result];
  reply.code(code).header("cache-control", "no-store");
  if (code === 401) reply.header("www-authenticate", 'Bearer realm="dockhand"');
  if (result === "ended" && auth) reply.header("set-cookie", auth.clearedCookie);
  if (asHtml) await reply.type("text/html; charset=utf-8").send(renderLoginPage(message).text);
  else await reply.send({ error: "DOCKHAND_E_USAGE", message });
}

async function refuseWithoutCsrf(reply: FastifyReply): Promise<void> {
  const message =
    "a session cookie alone cannot change anything: send the session's CSRF token in X-CSRF-Token " +
    '(POST /login answers it; the dashboard has it in <meta name="csrf-token">), ' +
    "or send Authorization: Bearer <DOCKHAND_ADMIN_TOKEN>";
  await reply.code(403).send({ error: "DOCKHAND_E_USAGE", message });
}

export function wantsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? "").includes("text/html");
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
