/**
 * The proxy `proxy.driver` asks for, fed from the route table in Redis: the
 * built-in one (which also reports its served version and in-flight counts,
 * so route-outs wait for it and drains end early), or nginx or Caddy (whose
 * drains then run their full time). Used by `dockhand serve` and `dockhand proxy`.
 */
import type { Logger } from "pino";
import { DockhandError, type ProxyDriver, type ProxyTlsSpec, type RouteStore } from "../model/index.js";
import {
  BuiltinProxy,
  type BuiltinProxyOptions,
  createProxyServer,
  ProxyReporter,
  serveRoutes,
} from "../proxy/index.js";
import { connectRedis } from "./connect-redis.js";

export interface StartedProxy {
  port: number;
  /** Stops following the table, then the proxy. */
  stop(): Promise<void>;
}

export interface StartProxyOptions {
  driver: ProxyDriver;
  listen: { host: string; port: number };
  routes: RouteStore;
  redisUrl: string;
  /** Key prefix of the install, where the built-in proxy writes its reports. */
  prefix: string;
  stateDir: string;
  log: Logger;
  /** proxy.tls: certificate files (built-in proxy) or ACME (Caddy). */
  tls?: ProxyTlsSpec;
}

export async function startProxy(o: StartProxyOptions): Promise<StartedProxy> {
  const log = o.log.child({ component: "proxy", driver: o.driver });
  if (o.tls?.acme && o.driver !== "caddy") {
    throw new DockhandError("DOCKHAND_E_USAGE", `proxy.tls.acme needs driver: caddy, got driver: ${o.driver}`);
  }
  if (o.tls?.certificates && o.driver !== "builtin") {
    throw new DockhandError(
      "DOCKHAND_E_USAGE",
      `proxy.tls.certificates needs driver: builtin, got driver: ${o.driver}`,
    );
  }
  if (o.driver !== "builtin") {
    const acme = o.tls?.acme && { ...o.tls.acme, listen: parseListen(o.tls.listen) };
    const server = createProxyServer({ driver: o.driver, listen: o.listen, log, stateDir: o.stateDir, acme });
    const { port } = await server.start();
    const unserve = await serveRoutes(server, o.routes, { log });
    return {
      port,
      stop: async () => {
        await unserve();
        await server.stop();
      },
    };
  }
  const proxy = new BuiltinProxy({ listen: o.listen, log, ...builtinTls(o.tls) });
  const { port } = await proxy.start();
  const redis = connectRedis(o.redisUrl);
  const reporter = new ProxyReporter({ redis, prefix: o.prefix, proxy });
  reporter.start();
  const unserve = await serveRoutes(reporter.sink(), o.routes, { log });
  return {
    port,
    stop: async () => {
      await unserve();
      await reporter.stop();
      redis.disconnect();
      await proxy.stop();
    },
  };
}

function builtinTls(tls: ProxyTlsSpec | undefined): Pick<BuiltinProxyOptions, "tls"> {
  if (!tls?.certificates) return {};
  const certificates = tls.certificates.map((c) => ({ certFile: c.cert, keyFile: c.key }));
  return { tls: { listen: parseListen(tls.listen), certificates, redirectHttp: tls.redirect } };
}

/** `host:port` (or a bare port) of proxy.listen or --listen. */
export function parseListen(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(":");
  const host = at > 0 ? listen.slice(0, at) : "0.0.0.0";
  const port = Number(at >= 0 ? listen.slice(at + 1) : listen);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DockhandError("DOCKHAND_E_USAGE", `proxy.listen must be "host:port", got "${listen}"`);
  }
  return { host, port };
}
