/**
 * Which headers cross the proxy, both ways. Pure, so the rules are tested as a
 * table: hop-by-hop headers (RFC 9110 7.6.1) stop here, X-Forwarded-For is
 * appended to (like nginx's $proxy_add_x_forwarded_for), X-Forwarded-Proto and
 * -Host are the proxy's own view, and every request carries an X-Request-Id.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

/** Connection-level headers that describe one hop and must not be forwarded. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  // The client's `Expect: 100-continue` was already answered by node:http; the upstream gets the body at once.
  "expect",
]);

/** Set by the proxy itself; what a client sends under these names is dropped (X-Forwarded-For is appended to instead). */
const OWN = new Set(["x-forwarded-proto", "x-forwarded-host", "x-request-id", "x-forwarded-for"]);

export interface ForwardContext {
  /** The client's address as the proxy saw it. */
  remoteAddress: string | undefined;
  proto: "http" | "https";
  /** The Host header as received (port included). */
  host: string;
  requestId: string;
}

export interface ForwardOptions {
  /** Keep `Connection: upgrade` and `Upgrade` (for WebSocket handshakes). */
  upgrade?: boolean;
}

/** Longest X-Request-Id taken from a client; longer or odd ones are replaced. */
const MAX_REQUEST_ID = 200;

/** The client's X-Request-Id when it is short printable ASCII, else a new one. */
export function requestIdFrom(raw: string | string[] | undefined, make: () => string): string {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value !== undefined && value.length > 0 && value.length <= MAX_REQUEST_ID && /^[\x21-\x7e]+$/.test(value)) {
    return value;
  }
  return make();
}

function connectionTokens(value: string | string[] | undefined): Set<string> {
  const tokens = new Set<string>();
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  for (const v of values) {
    for (const token of v.split(",")) {
      const t = token.trim().toLowerCase();
      if (t !== "") tokens.add(t);
    }
  }
  return tokens;
}

/**
 * The headers for the upstream request, as a flat [name, value, ...] list built
 * from node's rawHeaders (so case, order and repeated headers survive).
 */
export function upstreamRequestHeaders(
  rawHeaders: readonly string[],
  ctx: ForwardContext,
  options: ForwardOptions = {},
): string[] {
  const out: string[] = [];
  const connection: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === "connection") connection.push(rawHeaders[i + 1]!);
  }
  const listed = connectionTokens(connection);
  const forwardedFor: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const value = rawHeaders[i + 1]!;
    const lower = name.toLowerCase();
    if (lower === "x-forwarded-for") forwardedFor.push(value);
    if (OWN.has(lower)) continue;
    if (options.upgrade && lower === "upgrade") {
      out.push(name, value);
      continue;
    }
    if (HOP_BY_HOP.has(lower) || listed.has(lower)) continue;
    out.push(name, value);
  }
  if (options.upgrade) out.push("Connection", "Upgrade");
  if (ctx.remoteAddress !== undefined) forwardedFor.push(ctx.remoteAddress);
  if (forwardedFor.length > 0) out.push("X-Forwarded-For", forwardedFor.join(", "));
  out.push("X-Forwarded-Proto", ctx.proto, "X-Forwarded-Host", ctx.host, "X-Request-Id", ctx.requestId);
  return out;
}

/** The upstream's response headers minus hop-by-hop ones; node:http adds its own framing. */
export function downstreamResponseHeaders(headers: IncomingHttpHeaders, requestId: string): OutgoingHttpHeaders {
  const listed = connectionTokens(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name of Object.keys(headers)) {
    if (HOP_BY_HOP.has(name) || listed.has(name)) continue;
    const value = headers[name];
    if (value !== undefined) out[name] = value;
  }
  if (out["x-request-id"] === undefined) out["x-request-id"] = requestId;
  return out;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]);

/** RFC 9110 9.2.2: a request that may be sent twice with the same effect as once. */
export function isIdempotent(method: string | undefined): boolean {
  return method !== undefined && IDEMPOTENT.has(method);
}
