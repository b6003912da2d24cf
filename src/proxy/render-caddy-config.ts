/**
 * The route table as one Caddy JSON config (issue 5), loaded whole and
 * atomically through the admin API's /load. Pure. Caddy's host matcher already
 * matches a wildcard for exactly one label, like the built-in proxy.
 */
import type { AppRoute, RouteTable, Upstream } from "../model/index.js";
import { buildHostIndex, type HostClaims } from "./host-index.js";
import { VERSION_PROBE_HOST } from "./render-nginx-config.js";
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

function proxyHandler(usable: Upstream[], o: CaddyConfigOptions): Json {
  return {
    handler: "reverse_proxy",
    upstreams: usable.map((u) => ({ dial: hostPort({ host: u.address, port: u.port }) })),
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
    handle: [usable.length > 0 ? proxyHandler(usable, o) : unavailable],
    terminal: true,
  };
}

export function renderCaddyConfig(table: RouteTable, o: CaddyConfigOptions): { config: Json; problems: string[] } {
  const index = buildHostIndex(table);
  const routes: Json[] = [
    // Every request carries an X-Request-Id: the client's, else a new one.
    {
      match: [{ header: { "X-Request-Id": null } }],
      handle: [{ handler: "headers", request: { set: { "X-Request-Id": ["{http.request.uuid}"] } } }],
    },
    {
      match: [{ host: [VERSION_PROBE_HOST], path: ["/version"] }],
      handle: [plain(200, String(table.version))],
      terminal: true,
    },
  ];
  const problems = [...index.problems];
  for (const route of index.routes) {
    const names = hosts(index.claimsOf(route));
    if (names.length === 0) continue;
    const { usable, problems: left } = usableUpstreams(route);
    problems.push(...left);
    routes.push(appRoute(route, usable, names, o));
  }
  routes.push({ handle: [plain(404, "no app is served at this hostname\n")] });
  const config = {
    admin: { listen: hostPort(o.admin), config: { persist: false } },
    logging: { logs: { default: { level: "ERROR" } } },
    storage: { module: "file_system", root: o.storageDir },
    apps: {
      http: {
        grace_period: `${o.gracePeriodMs}ms`,
        servers: {
          dockhand: {
            listen: [hostPort(o.listen)],
            automatic_https: { disable: true },
            routes,
          },
        },
      },
    },
  };
  return { config, problems };
}
