/**
 * dockhand's own reverse proxy (DESIGN.md, "Proxy"; issue 5): routes by Host
 * header to an app's active upstreams, swaps the route table without a
 * restart, lets draining upstreams finish what they have, and proxies
 * WebSocket upgrades. Defaults live in proxy-defaults.ts.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { AppRoute, RouteTable } from "../model/index.js";
import { DockhandError } from "../model/index.js";
import { type BuiltinProxyOptions, type ResolvedProxyOptions, resolveProxyOptions } from "./builtin-proxy-options.js";
import { type ForwardContext, requestIdFrom, upstreamRequestHeaders } from "./forward-headers.js";
import { ForwardedExchange, type ForwardSettings, sendPlain } from "./forward-request.js";
import { forwardUpgrade, rejectUpgrade, type UpgradeSettings } from "./forward-upgrade.js";
import { buildHostIndex, type HostIndex, normalizeHost } from "./host-index.js";
import { UpstreamBalancer } from "./upstream-balancer.js";
import { UpstreamRegistry } from "./upstream-registry.js";

export type { BuiltinProxyOptions } from "./builtin-proxy-options.js";

const EMPTY: RouteTable = { version: Number.NEGATIVE_INFINITY, routes: [] };

/** Where a request stands before it is forwarded: unknown host, no upstream, or a balancer to use. */
type Resolution =
  | { kind: "unknown" }
  | { kind: "unavailable"; route: AppRoute }
  | { kind: "ok"; balancer: UpstreamBalancer };

export class BuiltinProxy {
  private readonly options: ResolvedProxyOptions;
  private readonly registry: UpstreamRegistry;
  private readonly forwardSettings: ForwardSettings;
  private readonly upgradeSettings: UpgradeSettings;
  private index: HostIndex = buildHostIndex(EMPTY);
  private balancers = new Map<AppRoute, UpstreamBalancer>();
  private server: Server | undefined;

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
    this.upgradeSettings = { ...common, connectTimeoutMs: o.connectTimeoutMs, sockets: new Set<Duplex>() };
  }

  /** The version of the table being served; -Infinity before the first setRoutes. */
  get routesVersion(): number {
    return this.index.version;
  }

  /** Swap the route table; a table older than the one served is ignored (returns false). */
  setRoutes(table: RouteTable): boolean {
    if (table.version < this.index.version) return false;
    const index = buildHostIndex(table);
    const previous = new Map<string, UpstreamBalancer>();
    for (const b of this.balancers.values()) previous.set(`${b.route.env}/${b.route.app}`, b);
    const balancers = new Map<AppRoute, UpstreamBalancer>();
    for (const route of index.routes) {
      const before = previous.get(`${route.env}/${route.app}`);
      balancers.set(route, new UpstreamBalancer(route, before?.cursor ?? 0));
    }
    this.index = index;
    this.balancers = balancers;
    this.registry.retain(index.routes.flatMap((r) => r.upstreams));
    for (const problem of index.problems) this.options.log.warn({ version: table.version, problem }, "route ignored");
    this.options.log.debug({ version: table.version, routes: index.routes.length }, "routes swapped");
    return true;
  }

  /** Requests (and open upgraded connections) now being served by this container. */
  inFlight(container: string): number {
    return this.registry.inFlightOf(container);
  }

  async start(): Promise<{ port: number }> {
    if (this.server) throw new DockhandError("DOCKHAND_E_USAGE", "BuiltinProxy.start(): the proxy is already started");
    const o = this.options;
    const server = createServer({ noDelay: true, requestTimeout: o.clientRequestTimeoutMs }, (req, res) =>
      this.handle(req, res),
    );
    server.keepAliveTimeout = o.clientKeepAliveMs;
    server.headersTimeout = o.clientHeadersTimeoutMs;
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(o.listen.port, o.listen.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    o.log.info({ host: o.listen.host, port }, "proxy listening");
    return { port };
  }

  /** Stop accepting, let in-flight requests finish for up to stopGraceMs, then cut what is left. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const grace = this.options.stopGraceMs;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    for (const socket of this.upgradeSettings.sockets) socket.destroy();
    const cut = setTimeout(() => server.closeAllConnections(), grace);
    await closed;
    clearTimeout(cut);
    await this.registry.close(grace);
  }

  private resolve(req: IncomingMessage): Resolution {
    const host = normalizeHost(req.headers.host);
    const route = host === undefined ? undefined : this.index.lookup(host);
    if (route === undefined) return { kind: "unknown" };
    const balancer = this.balancers.get(route)!;
    return balancer.active.length === 0 ? { kind: "unavailable", route } : { kind: "ok", balancer };
  }

  private context(req: IncomingMessage, requestId: string): ForwardContext {
    const remote = req.socket.remoteAddress;
    return {
      remoteAddress: remote?.startsWith("::ffff:") ? remote.slice(7) : remote,
      proto: "http",
      host: req.headers.host ?? "",
      requestId,
    };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const requestId = requestIdFrom(req.headers["x-request-id"], randomUUID);
    const idHeader = { "x-request-id": requestId };
    const found = this.resolve(req);
    if (found.kind === "unknown") {
      sendPlain(res, 404, "no app is served at this hostname", idHeader);
    } else if (found.kind === "unavailable") {
      this.unavailable(res, found.route, idHeader);
    } else if (!req.url?.startsWith("/")) {
      sendPlain(res, 400, "request target must be a path", idHeader);
    } else if (this.bodyTooLarge(req)) {
      const limit = `request body too large (limit ${this.options.maxBodyBytes} bytes)`;
      sendPlain(res, 413, limit, { ...idHeader, connection: "close" });
    } else {
      const headers = upstreamRequestHeaders(req.rawHeaders, this.context(req, requestId));
      const exchange = new ForwardedExchange(req, res, found.balancer, headers, requestId, this.forwardSettings);
      if (!exchange.send()) this.unavailable(res, found.balancer.route, idHeader);
    }
  }

  private unavailable(res: ServerResponse, route: AppRoute, headers: Record<string, string>): void {
    sendPlain(res, 503, `${route.app} has no active upstream right now; try again shortly`, {
      ...headers,
      "retry-after": String(this.options.retryAfterSeconds),
    });
  }

  private bodyTooLarge(req: IncomingMessage): boolean {
    const max = this.options.maxBodyBytes;
    const length = req.headers["content-length"];
    return max > 0 && length !== undefined && Number(length) > max;
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const found = this.resolve(req);
    if (found.kind === "unknown") {
      rejectUpgrade(socket, 404, "Not Found");
    } else if (found.kind === "unavailable") {
      rejectUpgrade(socket, 503, "Service Unavailable", { "Retry-After": String(this.options.retryAfterSeconds) });
    } else {
      const requestId = requestIdFrom(req.headers["x-request-id"], randomUUID);
      const headers = upstreamRequestHeaders(req.rawHeaders, this.context(req, requestId), { upgrade: true });
      forwardUpgrade(req, socket, head, found.balancer, headers, this.upgradeSettings);
    }
  }
}
