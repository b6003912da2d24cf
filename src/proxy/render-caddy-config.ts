/**
 * The route table as one Caddy JSON config (issue 5), loaded whole and
 * atomically through the admin API's /load. Pure. Caddy's host matcher already
 * matches a wildcard for exactly one label, like the built-in proxy.
 *
 * With `srv`, an app's upstreams are not in the config but looked up as SRV
 * records (srv-dns-server.ts) every `refreshMs`: the config then changes only
 * with hostnames, and a rollout never reloads Caddy (a reload closes idle
 * client connections). `srv` in the result holds those records.
 */
import { createHash } from "node:crypto";
import type { AppRoute, RouteTable, Upstream } from "../model/index.js";
import { routeKey } from "../model/index.js";
import { buildHostIndex, type HostClaims } from "./host-index.js";
import { VERSION_PROBE_HOST } from "./render-nginx-config.js";
import { SRV_ANSWER_LIMIT, type SrvTarget, srvAnswerBytes } from "./srv-dns-server.js";
import { hostPort, usableUpstreams } from "./usable-upstreams.js";

export interface CaddyConfigOptions {
  listen: { host: string; port: number };
  /** Caddy's admin API address, kept in every config loaded (a config without it would move the API). */
  admin: { host: string; port: number };
  /** Where Caddy keeps its data (certificates, locks). */
  storageDir: string;
  retryAfterSeconds: number;
  /** How long old connections may finish after a config change. */
  gracePeriodMs: number;
  /** Upstreams one request may be tried on when connecting fails. */
  maxAttempts: number;
  ejectAfterFailures: number;
  ejectForMs: number;
  /** Where Caddy looks up upstreams (the SRV server, `udp/127.0.0.1:5300`), and how often; else they are in the config. */
  srv?: { resolver: string; refreshMs: number };
  /** Automatic HTTPS for the app hostnames, certificates from this ACME server. */
  acme?: CaddyAcmeOptions;
}

export interface CaddyAcmeOptions {
  /** The ACME directory URL. */
  ca: string;
  email?: string;
  /** PEM files of the roots that sign the ACME server's own HTTPS certificate (a private CA such as Pebble). */
  trustedRootsPem?: string[];
  /** Where HTTPS listens; HTTP (`listen`) then redirects to it and answers ACME HTTP challenges. */
  httpsListen: { host: string; port: number };
}

/** The SRV name of an app's upstreams: readable, and distinct for keys that read alike. */
export function srvName(route: AppRoute): string {
  const key = routeKey(route.env, route.app);
  const readable = key
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return `${readable}-${createHash("sha256").update(key).digest("hex").slice(0, 8)}.routes.dockhand.`;
}

type Json = Record<string, unknown>;

function plain(status: number, body: string, headers: Record<string, string[]> = {}): Json {
  return {
    handler: "static_response",
    status_code: status,
    body,
    headers: { "Content-Type": ["text/plain; charset=utf-8"], ...headers },
  };
}

function hosts(claims: HostClaims): string[] {
  return [...claims.exact, ...claims.wildcardOf.map((suffix) => `*.${suffix}`)];
}

/** SRV records for the app, or undefined when it has too many upstreams for one answer (then they go in the config). */
function srvTargets(route: AppRoute, usable: Upstream[]): SrvTarget[] | undefined {
  const targets = usable.map((u) => ({ address: u.address, port: u.port }));
  return srvAnswerBytes(srvName(route), targets) <= SRV_ANSWER_LIMIT ? targets : undefined;
}

function proxyHandler(route: AppRoute, usable: Upstream[], o: CaddyConfigOptions): Json {
  const upstreams =
    o.srv && srvTargets(route, usable)
      ? {
          dynamic_upstreams: {
            source: "srv",
            name: srvName(route),
            refresh: `${o.srv.refreshMs}ms`,
            resolver: { addresses: [o.srv.resolver] },
          },
          // Caddy dials the SRV targets by name: they resolve through the same server.
          transport: { protocol: "http", resolver: { addresses: [o.srv.resolver] } },
        }
      : { upstreams: usable.map((u) => ({ dial: hostPort({ host: u.address, port: u.port }) })) };
  return {
    handler: "reverse_proxy",
    ...upstreams,
    load_balancing: { selection_policy: { policy: "round_robin" }, retries: Math.max(0, o.maxAttempts - 1) },
    health_checks: {
      passive:
        o.ejectAfterFailures > 0 ? { max_fails: o.ejectAfterFailures, fail_duration: `${o.ejectForMs}ms` } : undefined,
    },
    headers: { request: { set: { "X-Forwarded-Host": ["{http.request.hostport}"] } } },
  };
}

function appRoute(route: AppRoute, usable: Upstream[], names: string[], o: CaddyConfigOptions): Json {
  const unavailable = plain(503, `${route.app} has no active upstream right now; try again shortly\n`, {
    "Retry-After": [String(o.retryAfterSeconds)],
  });
  return {
    match: [{ host: names }],
    handle: [usable.length > 0 ? proxyHandler(route, usable, o) : unavailable],
    terminal: true,
  };
}

export interface RenderedCaddyConfig {
  config: Json;
  /** SRV name ─▶ an app's active upstreams, for the SRV server (with `srv`; else empty). */
  srv: Map<string, SrvTarget[]>;
  problems: string[];
}

export function renderCaddyConfig(table: RouteTable, o: CaddyConfigOptions): RenderedCaddyConfig {
  const index = buildHostIndex(table);
  const probe: Json = {
    match: [{ host: [VERSION_PROBE_HOST], path: ["/version"] }],
    handle: [plain(200, String(table.version))],
    terminal: true,
  };
  const routes: Json[] = [
    // Every request carries an X-Request-Id: the client's, else a new one.
    {
      match: [{ header: { "X-Request-Id": null } }],
      handle: [{ handler: "headers", request: { set: { "X-Request-Id": ["{http.request.uuid}"] } } }],
    },
    probe,
  ];
  const problems = [...index.problems];
  const srv = new Map<string, SrvTarget[]>();
  for (const route of index.routes) {
    const names = hosts(index.claimsOf(route));
    if (names.length === 0) continue;
    const { usable, problems: left } = usableUpstreams(route);
    problems.push(...left);
    const targets = o.srv ? srvTargets(route, usable) : undefined;
    if (targets) srv.set(srvName(route), targets);
    routes.push(appRoute(route, usable, names, o));
  }
  const notFound = { handle: [plain(404, "no app is served at this hostname\n")] };
  routes.push(notFound);
  const servers: Json = {
    dockhand: {
      listen: [hostPort(o.listen)],
      automatic_https: o.acme ? { disable_redirects: true } : { disable: true },
      routes,
    },
  };
  if (o.acme)
    servers.dockhand_https = httpsServer(
      routes.filter((r) => r !== probe),
      index,
      o.acme,
    );
  const config = {
    admin: { listen: hostPort(o.admin), config: { persist: false } },
    logging: { logs: { default: { level: "ERROR" } } },
    storage: { module: "file_system", root: o.storageDir },
    apps: {
      http: {
        grace_period: `${o.gracePeriodMs}ms`,
        ...(o.acme ? { http_port: o.listen.port, https_port: o.acme.httpsListen.port } : {}),
        servers,
      },
      ...(o.acme ? { tls: { automation: { policies: [acmePolicy(o.acme, o.listen.port)] } } } : {}),
    },
  };
  return { config, srv, problems };
}

/**
 * The HTTPS server: the app routes (not the version probe, whose .invalid name no CA signs), with
 * certificates Caddy obtains for every exact hostname. Wildcards are skipped: they need a DNS-01
 * challenge, which needs a DNS provider module Debian's Caddy does not have.
 */
function httpsServer(routes: Json[], index: ReturnType<typeof buildHostIndex>, acme: CaddyAcmeOptions): Json {
  const wildcards = index.routes.flatMap((r) => index.claimsOf(r).wildcardOf.map((suffix) => `*.${suffix}`));
  return {
    listen: [hostPort(acme.httpsListen)],
    automatic_https: { disable_redirects: true, ...(wildcards.length > 0 ? { skip: wildcards } : {}) },
    routes,
  };
}

function acmePolicy(acme: CaddyAcmeOptions, httpPort: number): Json {
  return {
    issuers: [
      {
        module: "acme",
        ca: acme.ca,
        ...(acme.email ? { email: acme.email } : {}),
        ...(acme.trustedRootsPem?.length ? { trusted_roots_pem_files: acme.trustedRootsPem } : {}),
        // HTTP-01 on the port dockhand's HTTP server listens on; TLS-ALPN-01 would need port 443 itself.
        challenges: { http: { alternate_port: httpPort }, "tls-alpn": { disabled: true } },
      },
    ],
  };
}
