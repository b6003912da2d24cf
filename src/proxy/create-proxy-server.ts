/**
 * One way for the composition root to get whichever proxy dockhand.yaml asks
 * for (`proxy.driver`): all three serve a route table the same way, so
 * switching drivers is a config change (issue 5).
 */
import { join } from "node:path";
import type { ProxyAcmeSpec, ProxyDriver, RouteTable } from "../model/index.js";
import { DockhandError } from "../model/index.js";
import { BuiltinProxy } from "./builtin-proxy.js";
import type { BuiltinProxyOptions } from "./builtin-proxy-options.js";
import { CaddyDriver } from "./caddy-driver.js";
import { NginxDriver } from "./nginx-driver.js";
import { DEFAULT_CADDY_ADMIN } from "./proxy-defaults.js";
import type { ProxyLog } from "./proxy-log.js";

export interface ProxyServer {
  readonly driver: ProxyDriver;
  start(): Promise<{ port: number }>;
  /** Serve a table; false when it is older than the one served. nginx and Caddy reject when they refuse it. */
  setRoutes(table: RouteTable): boolean | Promise<boolean>;
  /**
   * Requests in flight to a container (the one on `host`, else every one of that name), where the proxy can
   * tell (the built-in one); undefined elsewhere.
   */
  inFlight(container: string, host?: string): number | undefined;
  stop(): Promise<void>;
}

export interface ProxyServerOptions {
  driver: ProxyDriver;
  listen: { host: string; port: number };
  log: ProxyLog;
  /** nginx and Caddy keep their files under `<stateDir>/nginx` and `<stateDir>/caddy`. */
  stateDir: string;
  /** Caddy's admin API; default DEFAULT_CADDY_ADMIN (127.0.0.1:2019, Caddy's own default). */
  caddyAdmin?: { host: string; port: number };
  /** Automatic HTTPS (proxy.tls.acme); Caddy only, with its HTTPS address already parsed. */
  acme?: ProxyAcmeSpec & { listen: { host: string; port: number } };
  /** Options only the built-in proxy has (TLS, timeouts, strategy). */
  builtin?: Omit<BuiltinProxyOptions, "listen" | "log">;
}

export function createProxyServer(o: ProxyServerOptions): ProxyServer {
  if (o.acme && o.driver !== "caddy") {
    throw new DockhandError("DOCKHAND_E_USAGE", `proxy.tls.acme needs driver: caddy, got driver: ${o.driver}`);
  }
  if (o.driver === "nginx") {
    const nginx = new NginxDriver({ dir: join(o.stateDir, "nginx"), listen: o.listen, log: o.log });
    return wrap("nginx", nginx, () => undefined);
  }
  if (o.driver === "caddy") {
    const admin = o.caddyAdmin ?? { ...DEFAULT_CADDY_ADMIN };
    const acme = o.acme && {
      ca: o.acme.ca,
      email: o.acme.email,
      trustedRootsPem: o.acme.trustedRoots,
      httpsListen: o.acme.listen,
    };
    const caddy = new CaddyDriver({ dir: join(o.stateDir, "caddy"), listen: o.listen, admin, log: o.log, acme });
    return wrap("caddy", caddy, () => undefined);
  }
  const proxy = new BuiltinProxy({ ...o.builtin, listen: o.listen, log: o.log });
  return wrap("builtin", proxy, (container, host) => proxy.inFlight(container, host));
}

interface Served {
  start(): Promise<{ port: number }>;
  setRoutes(table: RouteTable): boolean | Promise<boolean>;
  stop(): Promise<void>;
}

function wrap(
  driver: ProxyDriver,
  served: Served,
  inFlight: (container: string, host?: string) => number | undefined,
): ProxyServer {
  return {
    driver,
    start: () => served.start(),
    setRoutes: (table) => served.setRoutes(table),
    inFlight,
    stop: () => served.stop(),
  };
}
