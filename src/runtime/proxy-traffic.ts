/**
 * Counts what the built-in proxy answers, by app and status code, for
 * /metrics. It listens on Node's `http.server.response.finish` diagnostics
 * channel and keeps only responses of the proxy's own servers (by local
 * port), so it needs no hook inside the proxy. The app comes from the Host
 * header through the same host index the proxy builds from the route table.
 * WebSocket upgrades are not responses and are not counted.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ProxyTraffic } from "../http/index.js";
import type { RouteStore, RouteTable } from "../model/index.js";
import { buildHostIndex, type HostIndex, normalizeHost } from "../proxy/index.js";

const CHANNEL = "http.server.response.finish";
/** 502 bad gateway, 503 no upstream, 504 timeout: the request reached no working upstream. */
const UPSTREAM_ERRORS = new Set([502, 503, 504]);
/** Requests for hostnames no app serves are counted under this app label. */
export const UNROUTED = "(unrouted)";

interface FinishMessage {
  request: IncomingMessage;
  response: ServerResponse;
}

export class ProxyTrafficCounter {
  private index: HostIndex = buildHostIndex({ version: 0, routes: [] });
  private readonly requests = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  private readonly listener = (message: unknown) => this.onFinish(message as FinishMessage);

  /** `ports`: the local ports the proxy listens on (plain and TLS). */
  constructor(private readonly ports: Set<number>) {
    subscribe(CHANNEL, this.listener);
  }

  setRoutes(table: RouteTable): void {
    this.index = buildHostIndex(table);
  }

  /** Follows the route store so requests are attributed to the app serving the hostname now. */
  async follow(store: RouteStore): Promise<() => Promise<void>> {
    this.setRoutes(await store.load());
    return store.subscribe((table) => this.setRoutes(table));
  }

  read(): ProxyTraffic {
    const split = (k: string) => k.split("|");
    return {
      requests: [...this.requests].map(([k, count]) => {
        const [env = "", app = "", code = "0"] = split(k);
        return { env, app, code: Number(code), count };
      }),
      upstreamErrors: [...this.errors].map(([k, count]) => {
        const [env = "", app = ""] = split(k);
        return { env, app, count };
      }),
    };
  }

  close(): void {
    unsubscribe(CHANNEL, this.listener);
  }

  private onFinish({ request, response }: FinishMessage): void {
    const port = (request.socket?.address() as AddressInfo | undefined)?.port;
    if (port === undefined || !this.ports.has(port)) return;
    const host = normalizeHost(request.headers.host);
    const route = host === undefined ? undefined : this.index.lookup(host);
    const app = route ? `${route.env}|${route.app}` : `|${UNROUTED}`;
    const code = response.statusCode;
    bump(this.requests, `${app}|${code}`);
    if (route && UPSTREAM_ERRORS.has(code)) bump(this.errors, app);
  }
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
