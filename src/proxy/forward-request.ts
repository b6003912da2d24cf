/**
 * One client request through the proxy: pick an upstream, stream the request
 * to it over a pooled keep-alive connection, stream the response back.
 *
 * Retries (issue 5): a request is tried on another active upstream when the
 * connection was refused before anything was sent (safe for every method,
 * since the upstream saw nothing and the body was not read yet), and, for an
 * idempotent request without a body, when a pooled connection broke before
 * any response byte (the keep-alive race every proxy meets).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import type { Upstream } from "../model/index.js";
import { downstreamResponseHeaders, isIdempotent } from "./forward-headers.js";
import type { ProxyLog } from "./proxy-log.js";
import { type BalanceStrategy, originOf, type UpstreamBalancer } from "./upstream-balancer.js";
import type { UpstreamRegistry } from "./upstream-registry.js";

export interface ForwardSettings {
  registry: UpstreamRegistry;
  strategy: BalanceStrategy;
  maxAttempts: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** 0: no limit. */
  maxBodyBytes: number;
  log: ProxyLog;
}

/** The connection never opened: the upstream saw nothing. */
const CONNECT_FAILURES = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** The connection broke under the request (often a keep-alive connection the upstream had just closed). */
const BROKEN_CONNECTION = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);

const TIMEOUTS = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

function isUpstreamFault(code: string): boolean {
  return CONNECT_FAILURES.has(code) || BROKEN_CONNECTION.has(code) || TIMEOUTS.has(code);
}

export class BodyTooLargeError extends Error {
  readonly code = "DOCKHAND_BODY_TOO_LARGE";
}

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  if (typeof e?.code === "string") return e.code;
  return typeof e?.cause?.code === "string" ? e.cause.code : undefined;
}

export function hasRequestBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/**
 * The request body with a size limit. Lazy: nothing is read from the client
 * until undici pulls the first chunk, so a refused connect can still retry.
 * Over the limit it fails without destroying the client's request, so a 413
 * can still be sent.
 */
class LimitedBody extends Readable {
  private seen = 0;
  private attached = false;

  constructor(
    private readonly source: IncomingMessage,
    private readonly max: number,
  ) {
    super();
  }

  override _read(): void {
    if (!this.attached) this.attach();
    this.source.resume();
  }

  private attach(): void {
    this.attached = true;
    this.source.on("data", (chunk: Buffer) => {
      this.seen += chunk.length;
      if (this.seen > this.max) {
        this.source.pause();
        this.destroy(new BodyTooLargeError(`request body over ${this.max} bytes`));
      } else if (!this.push(chunk)) {
        this.source.pause();
      }
    });
    this.source.on("end", () => this.push(null));
    this.source.on("error", (err) => this.destroy(err));
  }
}

export function sendPlain(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = `${text}\n`;
  res.writeHead(status, {
    ...headers,
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** Drives one request; implements undici's handler so each attempt reuses it without closures. */
export class ForwardedExchange implements Dispatcher.DispatchHandler {
  private readonly tried = new Set<string>();
  private upstream: Upstream | undefined;
  private controller: Dispatcher.DispatchController | undefined;
  private started = false;
  private finished = false;
  private clientGone = false;
  private readonly withBody: boolean;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    /** The route's balancer now: a retry after a route swap goes to the upstreams active then. */
    private readonly balancer: () => UpstreamBalancer | undefined,
    private readonly headers: string[],
    private readonly requestId: string,
    private readonly settings: ForwardSettings,
  ) {
    this.withBody = hasRequestBody(req);
    res.once("close", () => {
      if (this.finished) return;
      this.clientGone = true;
      this.controller?.abort(new Error("client closed the connection"));
    });
  }

  /** Returns false when no active upstream was there to try. */
  send(): boolean {
    const s = this.settings;
    const upstream = this.balancer()?.pick(s.strategy, s.registry, this.tried);
    if (upstream === undefined) return false;
    this.upstream = upstream;
    this.started = false;
    this.controller = undefined;
    s.registry.begin(upstream);
    // undici reads the client's body only once connected, so a refused connect can still retry.
    const body = !this.withBody ? null : s.maxBodyBytes > 0 ? new LimitedBody(this.req, s.maxBodyBytes) : this.req;
    s.registry.pool(upstream).dispatch(
      {
        path: this.req.url ?? "/",
        method: this.req.method as Dispatcher.HttpMethod,
        headers: this.headers,
        body,
        headersTimeout: s.headersTimeoutMs,
        bodyTimeout: s.bodyTimeoutMs,
      },
      this,
    );
    return true;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    this.started = true;
    // The client may have left while the request waited in the pool for a connection.
    if (this.clientGone || this.res.destroyed) controller.abort(new Error("client closed the connection"));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
    message?: string,
  ): void {
    try {
      this.res.writeHead(status, message || undefined, downstreamResponseHeaders(headers, this.requestId));
    } catch (err) {
      // node:http refuses some header values an upstream can send (control characters): answer 502, not crash.
      this.settings.log.warn(
        { upstream: this.upstream?.container, err: (err as Error).message },
        "upstream response headers refused",
      );
      controller.abort(
        Object.assign(new Error("invalid response headers from upstream"), { code: "DOCKHAND_BAD_HEADERS" }),
      );
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.res.destroyed) {
      controller.abort(new Error("client closed the connection"));
      return;
    }
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once("drain", () => controller.resume());
    }
  }

  onResponseEnd(): void {
    this.finished = true;
    this.done("ok");
    this.res.end();
  }

  onResponseError(_c: Dispatcher.DispatchController | undefined, err: Error): void {
    const upstream = this.upstream!;
    const clientGone = this.clientGone || this.res.destroyed;
    const code = errorCode(err);
    const upstreamFault = !clientGone && code !== undefined && isUpstreamFault(code);
    this.done(upstreamFault ? "fault" : "neutral");
    if (clientGone) return;
    if (this.mayRetry(err)) {
      this.tried.add(originOf(upstream));
      this.settings.log.debug({ upstream: upstream.container, err: errorCode(err) }, "retrying on another upstream");
      if (this.tried.size < this.settings.maxAttempts && this.send()) return;
    }
    this.finished = true;
    this.answerError(err, upstream);
  }

  private mayRetry(err: Error): boolean {
    if (this.res.headersSent) return false;
    const code = errorCode(err);
    if (code === undefined) return false;
    if (!this.started && CONNECT_FAILURES.has(code)) return true;
    return BROKEN_CONNECTION.has(code) && !this.withBody && isIdempotent(this.req.method);
  }

  /** "neutral": the exchange failed for a reason that says nothing about the upstream (client left, body too large). */
  private done(outcome: "ok" | "fault" | "neutral"): void {
    const { registry, log } = this.settings;
    const upstream = this.upstream!;
    registry.end(upstream);
    if (outcome === "ok") registry.recordSuccess(upstream);
    else if (outcome === "fault" && registry.recordFailure(upstream)) {
      log.warn(
        { upstream: upstream.container, origin: originOf(upstream) },
        "upstream ejected after repeated failures",
      );
    }
  }

  private answerError(err: Error, upstream: Upstream): void {
    const code = errorCode(err);
    const fields = { upstream: upstream.container, requestId: this.requestId, err: code ?? err.message };
    const headers = { "x-request-id": this.requestId };
    if (err instanceof BodyTooLargeError || code === "DOCKHAND_BODY_TOO_LARGE") {
      const limit = `request body too large (limit ${this.settings.maxBodyBytes} bytes)`;
      sendPlain(this.res, 413, limit, { ...headers, connection: "close" });
      return;
    }
    this.settings.log.warn(fields, "upstream request failed");
    const timedOut = code !== undefined && TIMEOUTS.has(code);
    sendPlain(this.res, timedOut ? 504 : 502, timedOut ? "upstream timed out" : "bad gateway", headers);
  }
}
