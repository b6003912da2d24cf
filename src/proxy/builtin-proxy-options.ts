/**
 * Options of the built-in proxy, their defaults (proxy-defaults.ts) and the
 * checks the constructor makes, so a wrong value fails at once with a message
 * that names the option and what would be right.
 */
import { DockhandError } from "../model/index.js";
import * as D from "./proxy-defaults.js";
import type { ProxyLog } from "./proxy-log.js";
import type { CertificateFiles } from "./tls-certificates.js";
import { BALANCE_STRATEGIES, type BalanceStrategy } from "./upstream-balancer.js";

export interface ProxyTlsOptions {
  /** Port 0 picks a free port (start() returns it as tlsPort). */
  listen: { host: string; port: number };
  /** Chosen by SNI; the first one also serves clients that send no server name. */
  certificates: CertificateFiles[];
  /** Answer plain-HTTP requests for served hostnames with a 308 redirect to https. Default false. */
  redirectHttp?: boolean;
}

export interface BuiltinProxyOptions {
  /** Plain HTTP. Port 0 picks a free port (start() returns it). */
  listen: { host: string; port: number };
  /** HTTPS as well, when given. */
  tls?: ProxyTlsOptions;
  log: ProxyLog;
  /** Default "round-robin". */
  strategy?: BalanceStrategy;
  /** Default DEFAULT_RETRY_AFTER_SECONDS (5). */
  retryAfterSeconds?: number;
  /** Default DEFAULT_CONNECT_TIMEOUT_MS (5 s). */
  connectTimeoutMs?: number;
  /** Default DEFAULT_UPSTREAM_HEADERS_TIMEOUT_MS (60 s). */
  upstreamHeadersTimeoutMs?: number;
  /** Default DEFAULT_UPSTREAM_BODY_TIMEOUT_MS (60 s). */
  upstreamBodyTimeoutMs?: number;
  /** Default DEFAULT_UPSTREAM_KEEP_ALIVE_MS (4 s). */
  upstreamKeepAliveMs?: number;
  /** Default DEFAULT_UPSTREAM_CONNECTIONS (256). */
  upstreamConnections?: number;
  /** Default DEFAULT_CLIENT_KEEP_ALIVE_MS (65 s). */
  clientKeepAliveMs?: number;
  /** Default DEFAULT_CLIENT_HEADERS_TIMEOUT_MS (60 s). */
  clientHeadersTimeoutMs?: number;
  /** Default DEFAULT_CLIENT_REQUEST_TIMEOUT_MS (300 s); 0 turns it off. */
  clientRequestTimeoutMs?: number;
  /** Default DEFAULT_MAX_BODY_BYTES (0: no limit). */
  maxBodyBytes?: number;
  /** Default DEFAULT_STOP_GRACE_MS (10 s). */
  stopGraceMs?: number;
  /** Default DEFAULT_EJECT_AFTER_FAILURES (5); 0 turns passive ejection off. */
  ejectAfterFailures?: number;
  /** Default DEFAULT_EJECT_FOR_MS (10 s). */
  ejectForMs?: number;
  /** Default DEFAULT_MAX_ATTEMPTS (3): upstreams one request may be tried on. */
  maxAttempts?: number;
  /** Default DEFAULT_CERTIFICATE_SETTLE_MS (200): how long a change in a certificate's folder settles before the files are read again. */
  certificateSettleMs?: number;
}

export type ResolvedProxyOptions = Required<Omit<BuiltinProxyOptions, "tls">> & { tls: ProxyTlsOptions | undefined };

function check(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new DockhandError(
      "DOCKHAND_E_USAGE",
      `BuiltinProxy option ${name}: expected an integer ${range}, got ${value}`,
    );
  }
  return value;
}

export function resolveProxyOptions(o: BuiltinProxyOptions): ResolvedProxyOptions {
  const strategy = o.strategy ?? "round-robin";
  if (!BALANCE_STRATEGIES.includes(strategy)) {
    throw new DockhandError(
      "DOCKHAND_E_USAGE",
      `BuiltinProxy option strategy: expected ${BALANCE_STRATEGIES.map((s) => `"${s}"`).join(" or ")}, got "${strategy}"`,
    );
  }
  check("listen.port", o.listen.port, 0, 65_535);
  if (o.tls) {
    check("tls.listen.port", o.tls.listen.port, 0, 65_535);
    if (o.tls.certificates.length === 0) {
      throw new DockhandError(
        "DOCKHAND_E_USAGE",
        "BuiltinProxy option tls.certificates: expected at least one { certFile, keyFile }",
      );
    }
  }
  return {
    listen: o.listen,
    tls: o.tls,
    log: o.log,
    strategy,
    retryAfterSeconds: check("retryAfterSeconds", o.retryAfterSeconds ?? D.DEFAULT_RETRY_AFTER_SECONDS, 0),
    connectTimeoutMs: check("connectTimeoutMs", o.connectTimeoutMs ?? D.DEFAULT_CONNECT_TIMEOUT_MS, 1),
    upstreamHeadersTimeoutMs: check(
      "upstreamHeadersTimeoutMs",
      o.upstreamHeadersTimeoutMs ?? D.DEFAULT_UPSTREAM_HEADERS_TIMEOUT_MS,
      1,
    ),
    upstreamBodyTimeoutMs: check(
      "upstreamBodyTimeoutMs",
      o.upstreamBodyTimeoutMs ?? D.DEFAULT_UPSTREAM_BODY_TIMEOUT_MS,
      1,
    ),
    upstreamKeepAliveMs: check("upstreamKeepAliveMs", o.upstreamKeepAliveMs ?? D.DEFAULT_UPSTREAM_KEEP_ALIVE_MS, 1),
    upstreamConnections: check("upstreamConnections", o.upstreamConnections ?? D.DEFAULT_UPSTREAM_CONNECTIONS, 1),
    clientKeepAliveMs: check("clientKeepAliveMs", o.clientKeepAliveMs ?? D.DEFAULT_CLIENT_KEEP_ALIVE_MS, 1),
    clientHeadersTimeoutMs: check(
      "clientHeadersTimeoutMs",
      o.clientHeadersTimeoutMs ?? D.DEFAULT_CLIENT_HEADERS_TIMEOUT_MS,
      1,
    ),
    clientRequestTimeoutMs: check(
      "clientRequestTimeoutMs",
      o.clientRequestTimeoutMs ?? D.DEFAULT_CLIENT_REQUEST_TIMEOUT_MS,
      0,
    ),
    maxBodyBytes: check("maxBodyBytes", o.maxBodyBytes ?? D.DEFAULT_MAX_BODY_BYTES, 0),
    stopGraceMs: check("stopGraceMs", o.stopGraceMs ?? D.DEFAULT_STOP_GRACE_MS, 0),
    ejectAfterFailures: check("ejectAfterFailures", o.ejectAfterFailures ?? D.DEFAULT_EJECT_AFTER_FAILURES, 0),
    ejectForMs: check("ejectForMs", o.ejectForMs ?? D.DEFAULT_EJECT_FOR_MS, 1),
    maxAttempts: check("maxAttempts", o.maxAttempts ?? D.DEFAULT_MAX_ATTEMPTS, 1),
    certificateSettleMs: check("certificateSettleMs", o.certificateSettleMs ?? D.DEFAULT_CERTIFICATE_SETTLE_MS, 0),
  };
}
