/**
 * Turns what dockerode throws into DockhandErrors: a connection that failed
 * (refused, no socket, timeout, TLS) is a transient HOST_UNREACHABLE; an
 * answer the engine gave (404, 409, 500) is DOCKHAND_E_DOCKER with its text.
 */
import { DockhandError } from "../model/index.js";
import type { Engine } from "./connect-engine.js";

/** Errno codes of a request that never reached the engine, or lost it mid-way. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOENT",
  "EACCES",
  "EPERM",
  "ENOTSOCK",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EADDRNOTAVAIL",
  "ECONNABORTED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

interface ErrorLike {
  code?: unknown;
  statusCode?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
  json?: unknown;
}

function asErrorLike(err: unknown): ErrorLike {
  return typeof err === "object" && err !== null ? (err as ErrorLike) : { message: String(err) };
}

/** The HTTP status the engine answered with, when it answered. */
export function engineStatus(err: unknown): number | undefined {
  const status = asErrorLike(err).statusCode;
  return typeof status === "number" ? status : undefined;
}

function isTimeout(e: ErrorLike): boolean {
  if (e.name === "TimeoutError") return true;
  return e.name === "AbortError" && asErrorLike(e.cause).name === "TimeoutError";
}

function isConnectionFailure(e: ErrorLike): boolean {
  if (engineStatus(e) !== undefined) return false;
  const code = typeof e.code === "string" ? e.code : "";
  if (CONNECTION_CODES.has(code) || /^ERR_(SSL|TLS|OSSL)_/.test(code)) return true;
  // An SSL alert from the server (e.g. it rejected our client cert) has no errno code.
  return typeof e.message === "string" && /socket hang up|SSL|TLS|certificate/i.test(e.message);
}

/** What the engine said, without docker-modem's "(HTTP code 404) no such container - " prefix. */
export function engineMessage(err: unknown): string {
  const e = asErrorLike(err);
  const json = typeof e.json === "object" && e.json !== null ? (e.json as ErrorLike) : {};
  if (typeof json.message === "string" && json.message) return json.message.trim();
  const text = typeof e.message === "string" ? e.message : String(err);
  return text.replace(/^\(HTTP code \d+\) [^-]*- /, "").trim();
}

export function unreachable(engine: Engine, cause: string, err?: unknown): DockhandError {
  const message = `host ${engine.host.name} (${engine.endpoint}) is unreachable: ${cause}`;
  return new DockhandError("DOCKHAND_E_HOST_UNREACHABLE", message, { cause: err, transient: true });
}

/**
 * Map any error of a call to `engine` to a DockhandError. `action` says what was
 * being done, e.g. `inspect container 3f2a`; DockhandErrors pass through.
 */
export function engineError(engine: Engine, action: string, err: unknown, timeoutMs?: number): DockhandError {
  if (err instanceof DockhandError) return err;
  const e = asErrorLike(err);
  if (isTimeout(e)) {
    const within = timeoutMs === undefined ? "" : ` within ${timeoutMs} ms`;
    return unreachable(engine, `no answer to ${action}${within}`, err);
  }
  if (isConnectionFailure(e)) {
    const said = engineMessage(err);
    // Node's words for a socket closed under a request; over SSH, the connection's own cause says more.
    const dropped = /^(aborted|socket hang up)$/.test(said) ? engine.dropCause?.() : undefined;
    return unreachable(engine, dropped ?? said, err);
  }
  const status = engineStatus(err);
  if (status === 400 && /HTTP request to an HTTPS server/i.test(engineMessage(err))) {
    return unreachable(engine, "it speaks TLS only: give the host tls { ca, cert, key }", err);
  }
  const how = status === undefined ? "" : ` (HTTP ${status})`;
  return new DockhandError(
    "DOCKHAND_E_DOCKER",
    `host ${engine.host.name}: ${action} failed${how}: ${engineMessage(err)}`,
    { cause: err, transient: status === 503 },
  );
}
