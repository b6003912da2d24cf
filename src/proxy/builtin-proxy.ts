/**
 * dockhand's own reverse proxy (docs/proxy.md): routes by Host
 * header to an app's active upstreams, swaps the route table without a
 * restart, lets draining upstreams finish what they have, and proxies
 * WebSocket upgrades. Defaults live in proxy-defaults.ts.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import type { AppRoute, RouteTable } from "../model/index.js";
import { DockhandError, routeKey } from "../model/index.js";
import { type BuiltinProxyOptions, type ResolvedProxyOptions, resolveProxyOptions } from "./builtin-proxy-options.js";
import { type ForwardContext, requestIdFrom, upstreamRequestHeaders } from "./forward-headers.js";
import { ForwardedExchange, type ForwardSettings, hasRequestBody, sendPlain } from "./forward-request.js";
import { forwardUpgrade, rejectUpgrade, type UpgradeSettings } from "./forward-upgrade.js";
import { readHostHeader } from "./host-header.js";
import { buildHostIndex, type HostIndex } from "./host-index.js";
import { closeGracefully, httpsLocation, listenOn } from "./proxy-servers.js";
import { ServedCertificates } from "./served-certificates.js";
import { mayReplace, type TableStamp } from "./table-order.js";
import { UpstreamBalancer } from "./upstream-balancer.js";
import { UpstreamRegistry } from "./upstream-registry.js";

export type { BuiltinProxyOptions } from "./builtin-proxy-options.js";

const EMPTY: RouteTable = { version: Number.NEGATIVE_INFINITY, routes: [] };

/**
 * Where a request stands before it is forwarded: a Host that is no host, unknown host, no upstream, or a
 * balancer to use. `host` is the Host header once it passed readHostHeader: only then is it copied anywhere.
 */
type Resolution =
  | { kind: "invalid"; problem: string }
  | { kind: "unknown" }
  | { kind: "unavailable"; route: AppRoute; host: string }
  | { kind: "ok"; balancer: UpstreamBalancer; host: string };

export class BuiltinProxy {
  private readonly options: ResolvedProxyOptions;
  private readonly registry: UpstreamRegistry;
  private readonly forwardSettings: ForwardSettings;
  private readonly upgradeSettings: UpgradeSettings;
  private index: HostIndex = buildHostIndex(EMPTY);
  private served: TableStamp = { version: Number.NEGATIVE_INFINITY };
  private balancers = new Map<AppRoute, UpstreamBalancer>();
  private byKey = new Map<string, UpstreamBalancer>();
  /** The plain HTTP server, then the HTTPS one when TLS is on. */
  private readonly servers: Server[] = [];
  private certificates: ServedCertificates | undefined;
  private tlsPort = 0;

  constructor(options: BuiltinProxyOptions) {
    this.options = resolveProxyOptions(options);
    const o = this.options;
    this.registry = new UpstreamRegistry(
      {
        connections: o.upstreamConnections,
        connectTimeoutMs: o.connectTimeoutMs,
        keepAliveMs: o.upstreamKeepAliveMs,
        headersTimeoutMs: o.upstreamHeadersTimeoutMs,
        bodyTimeoutMs: o.upstreamBodyTimeoutMs,
      },
      { afterFailures: o.ejectAfterFailures, forMs: o.ejectForMs },
    );
    const common = { registry: this.registry, strategy: o.strategy, maxAttempts: o.maxAttempts, log: o.log };
    this.forwardSettings = {
      ...common,
      headersTimeoutMs: o.upstreamHeadersTimeoutMs,
      bodyTimeoutMs: o.upstreamBodyTimeoutMs,
      maxBodyBytes: o.maxBodyBytes,
    };
    this.upgradeSettings = {
      ...common,
      connectTimeoutMs: o.connectTimeoutMs,
      headersTimeoutMs: o.upstreamHeadersTimeoutMs,
      bodyTimeoutMs: o.upstreamBodyTimeoutMs,
      sockets: new Set<Duplex>(),
    };
  }

  /** The version of the table being served; -Infinity before the first setRoutes. */
  get routesVersion(): number {
    return this.index.version;
  }

  /** The epoch of the table being served; undefined before the first setRoutes or for a table without one. */
  get routesEpoch(): string | undefined {
    return this.served.epoch;
  }

  /** Swap the route table; a table older than the one served is ignored (returns false). */
  setRoutes(table: RouteTable): boolean {
    if (!mayReplace(table, this.served)) return false;
    this.served = { epoch: table.epoch, version: table.version };
    const index = buildHostIndex(table);
    const balancers = new Map<AppRoute, UpstreamBalancer>();
    const byKey = new Map<string, UpstreamBalancer>();
    for (const route of index.routes) {
      const key = routeKey(route.env, route.app);
      const balancer = new UpstreamBalancer(route, this.byKey.get(key)?.cursor ?? 0);
      balancers.set(route, balancer);
      byKey.set(key, balancer);
    }
    this.byKey = byKey;
    this.index = index;
    this.balancers = balancers;
    this.registry.retain(index.routes.flatMap((r) => r.upstreams));
    for (const problem of index.problems) this.options.log.warn({ version: table.version, problem }, "route ignored");
    this.options.log.debug({ version: table.version, routes: index.routes.length }, "routes swapped");
    return true;
  }

  /**
   * Requests (and open upgraded connections) now being served by this container: the one on `host`
   * (a host name of dockhand.yaml), or, without it, every container of that name (names are unique per engine).
   */
  inFlight(container: string, host?: string): number {
    return this.registry.inFlightOf(container, host);
  }

  /** Listen on `listen` (and `tls.listen`); resolves with the ports, useful when 0 was asked. */
  async start(): Promise<{ port: number; tlsPort?: number }> {
    if (this.servers.length > 0)
      throw new DockhandError("DOCKHAND_E_USAGE", "BuiltinProxy.start(): the proxy is already started");
    const o = this.options;
    try {
      const port = await listenOn(this.track(createServer(this.serverOptions(), this.onRequest)), o.listen);
      o.log.info({ host: o.listen.host, port }, "proxy listening");
      if (!o.tls) return { port };
      this.certificates = new ServedCertificates(o.tls.certificates, o.log, o.certificateSettleMs);
      const first = await this.certificates.load();
      const https = createHttpsServer(
        { ...this.serverOptions(), ...first.fallback, SNICallback: this.certificates.sni },
        this.onRequest,
      );
      https.on("tlsClientError", (err) => o.log.debug({ err: err.message }, "TLS handshake failed"));
      const tlsPort = await listenOn(this.track(https), o.tls.listen);
      this.tlsPort = tlsPort;
      this.certificates.follow(https);
      o.log.info({ host: o.tls.listen.host, port: tlsPort, names: first.names }, "proxy listening for TLS");
      return { port, tlsPort };
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Stop accepting, let in-flight requests finish for up to stopGraceMs, then cut what is left. */
  async stop(): Promise<void> {
    const servers = this.servers.splice(0);
    this.certificates?.close();
    this.certificates = undefined;
    if (servers.length === 0) return;
    for (const socket of this.upgradeSettings.sockets) socket.destroy();
    await Promise.all(servers.map((server) => closeGracefully(server, this.options.stopGraceMs)));
    await this.registry.close(this.options.stopGraceMs);
  }

  private track<S extends Server>(server: S): S {
    server.keepAliveTimeout = this.options.clientKeepAliveMs;
    server.headersTimeout = this.options.clientHeadersTimeoutMs;
    server.on("upgrade", this.onUpgrade);
    this.servers.push(server);
    return server;
  }

  private serverOptions() {
    return { noDelay: true, requestTimeout: this.options.clientRequestTimeoutMs };
  }

  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => this.handle(req, res);

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void =>
    this.handleUpgrade(req, socket, head);

  private resolve(req: IncomingMessage): Resolution {
    const host = readHostHeader(req.rawHeaders);
    if ("problem" in host) return { kind: "invalid", problem: host.problem };
    const route = this.index.lookup(host.name);
    if (route === undefined) return { kind: "unknown" };
    const balancer = this.balancers.get(route)!;
    if (balancer.active.length === 0) return { kind: "unavailable", route, host: host.value };
    return { kind: "ok", balancer, host: host.value };
  }

  /** The balancer of the same app in the table served now (the table may have been swapped since). */
  private currentBalancer(route: AppRoute): UpstreamBalancer | undefined {
    return this.balancers.get(route) ?? this.byKey.get(routeKey(route.env, route.app));
  }

  private context(req: IncomingMessage, host: string, requestId: string): ForwardContext {
    const remote = req.socket.remoteAddress;
    return {
      remoteAddress: remote?.startsWith("::ffff:") ? remote.slice(7) : remote,
      proto: (req.socket as TLSSocket).encrypted ? "https" : "http",
      host,
      requestId,
    };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const requestId = requestIdFrom(req.headers["x-request-id"], randomUUID);
    const idHeader = { "x-request-id": requestId };
    const found = this.resolve(req);
    if (found.kind === "invalid") {
      sendPlain(res, 400, found.problem, { ...idHeader, connection: "close" });
    } else if (found.kind === "unknown") {
      sendPlain(res, 404, "no app is served at this hostname", idHeader);
    } else if (!req.url?.startsWith("/")) {
      // Checked before the redirect: the target is copied into its Location.
      sendPlain(res, 400, "request target must be a path", idHeader);
    } else if (this.mustRedirect(req)) {
      const location = httpsLocation(found.host, req.url, this.tlsPort);
      sendPlain(res, 308, `moved to ${location}`, { ...idHeader, location });
    } else if (found.kind === "unavailable") {
      this.unavailable(res, found.route, idHeader);
    } else if (this.bodyTooLarge(req)) {
      const limit = `request body too large (limit ${this.options.maxBodyBytes} bytes)`;
      sendPlain(res, 413, limit, { ...idHeader, connection: "close" });
    } else {
      const headers = upstreamRequestHeaders(req.rawHeaders, this.context(req, found.host, requestId));
      const key = found.balancer.route;
      const current = () => this.currentBalancer(key);
      const exchange = new ForwardedExchange(req, res, current, headers, requestId, this.forwardSettings);
      if (!exchange.send()) this.unavailable(res, found.balancer.route, idHeader);
    }
  }

  private unavailable(res: ServerResponse, route: AppRoute, headers: Record<string, string>): void {
    sendPlain(res, 503, `${route.app} has no active upstream right now; try again shortly`, {
      ...headers,
      "retry-after": String(this.options.retryAfterSeconds),
    });
  }

  private mustRedirect(req: IncomingMessage): boolean {
    return this.options.tls?.redirectHttp === true && !(req.socket as TLSSocket).encrypted;
  }

  private bodyTooLarge(req: IncomingMessage): boolean {
    const max = this.options.maxBodyBytes;
    const length = req.headers["content-length"];
    return max > 0 && length !== undefined && Number(length) > max;
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const found = this.resolve(req);
    if (found.kind === "invalid") {
      rejectUpgrade(socket, 400, "Bad Request", {}, `${found.problem}\n`);
    } else if (found.kind === "unknown") {
      rejectUpgrade(socket, 404, "Not Found");
    } else if (!req.url?.startsWith("/")) {
      rejectUpgrade(socket, 400, "Bad Request", {}, "request target must be a path\n");
    } else if (this.mustRedirect(req)) {
      const location = httpsLocation(found.host, req.url, this.tlsPort);
      rejectUpgrade(socket, 308, "Permanent Redirect", { Location: location });
    } else if (found.kind === "unavailable") {
      rejectUpgrade(socket, 503, "Service Unavailable", { "Retry-After": String(this.options.retryAfterSeconds) });
    } else if (hasRequestBody(req)) {
      // Its body would be bytes for the upstream before it agreed to switch protocols (forward-upgrade.ts).
      rejectUpgrade(socket, 400, "Bad Request", {}, "an upgrade request carries no body\n");
    } else {
      const requestId = requestIdFrom(req.headers["x-request-id"], randomUUID);
      const context = this.context(req, found.host, requestId);
      const headers = upstreamRequestHeaders(req.rawHeaders, context, { upgrade: true });
      forwardUpgrade({ req, head, headers, requestId }, socket, found.balancer, this.upgradeSettings);
    }
  }
}
