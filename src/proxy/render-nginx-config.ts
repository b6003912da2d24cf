/**
 * The route table as nginx configuration (issue 5, "nginx and Caddy drivers").
 * Pure: the driver writes, tests (`nginx -t`) and reloads what this returns.
 * It keeps the built-in proxy's behaviour where nginx can: a wildcard matches
 * one label (a regex server_name, since nginx's own `*.` matches any depth),
 * draining upstreams get no new requests (they are left out), 404 for unknown
 * hosts, 503 + Retry-After.
 *
 * The config names hostnames and apps only. Which containers serve an app is
 * in a separate JSON file (`upstreams`) that the njs module in
 * nginx-routes-script.ts reads per request, so a rollout changes that file and
 * never reloads nginx: a reload closes idle keep-alive client connections and
 * a request sent on one at that moment gets no answer (docs/proxy.md).
 */
import type { AppRoute, RouteTable } from "../model/index.js";
import { routeKey } from "../model/index.js";
import { buildHostIndex, type HostClaims } from "./host-index.js";
import type { NginxRoutesFile } from "./nginx-routes-script.js";
import { hostPort, usableUpstreams } from "./usable-upstreams.js";

/** A hostname no app can be given (RFC 2606 `.invalid`); it answers the version of the loaded routes. */
export const VERSION_PROBE_HOST = "dockhand-routes.invalid";

export interface NginxRouteOptions {
  listen: { host: string; port: number };
  retryAfterSeconds: number;
  connectTimeoutMs: number;
  readTimeoutMs: number;
}

export interface NginxMainOptions {
  /** Absolute directory for pid, logs and temp files. */
  dir: string;
  routesFile: string;
  /** The njs module (nginx-routes-script.ts) and nginx's ngx_http_js_module.so that runs it. */
  script: string;
  jsModule: string;
  /** How long old workers may finish their requests (and WebSockets) after a reload. */
  shutdownTimeoutMs: number;
}

/** nginx's own variable syntax (not a JS template): the `$dollar` variable renderNginxMain defines. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: this is nginx syntax, meant literally
const NGINX_DOLLAR = "${dollar}";

/** A string literal nginx reads back unchanged: quoted, with `"`, `\` and `$` (variables) escaped. */
export function nginxString(value: string): string {
  return `"${value.replace(/[\\"$]/g, (c) => (c === "$" ? NGINX_DOLLAR : `\\${c}`))}"`;
}

function serverNames(claims: HostClaims): string[] {
  const wildcards = claims.wildcardOf.map((suffix) => `~^[^.]+\\.${suffix.replace(/\./g, "\\.")}$`);
  return [...claims.exact, ...wildcards];
}

function timeout(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}

/** The proxying part of a location, to the upstream in `upstream` (a variable the njs module sets). */
function proxyTo(upstream: string, o: NginxRouteOptions): string[] {
  return [
    `    proxy_pass http://${upstream};`,
    "    proxy_http_version 1.1;",
    "    proxy_set_header Host $http_host;",
    "    proxy_set_header Connection $dockhand_connection;",
    "    proxy_set_header Upgrade $http_upgrade;",
    "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "    proxy_set_header X-Forwarded-Proto $scheme;",
    "    proxy_set_header X-Forwarded-Host $http_host;",
    "    proxy_set_header X-Request-Id $dockhand_request_id;",
    `    proxy_connect_timeout ${timeout(o.connectTimeoutMs)};`,
    `    proxy_read_timeout ${timeout(o.readTimeoutMs)};`,
  ];
}

function proxyServer(route: AppRoute, names: string[], listen: string, o: NginxRouteOptions): string[] {
  return [
    "server {",
    `  listen ${listen};`,
    `  server_name ${names.join(" ")};`,
    "  default_type text/plain;",
    `  set $dockhand_app ${nginxString(routeKey(route.env, route.app))};`,
    "  location / {",
    '    if ($dockhand_upstream = "") {',
    `      add_header Retry-After ${o.retryAfterSeconds} always;`,
    `      return 503 ${unavailable(route)};`,
    "    }",
    // nginx's own 502 (no upstream response: refused, reset) goes to another upstream once; an app's own 502 does not.
    "    error_page 502 = @dockhand_retry;",
    ...proxyTo("$dockhand_upstream", o),
    "  }",
    "  location @dockhand_retry {",
    '    if ($dockhand_retry_upstream = "") {',
    `      return 502 ${nginxString(`${route.app}: the upstream did not answer
`)};`,
    "    }",
    ...proxyTo("$dockhand_retry_upstream", o),
    "  }",
    "}",
  ];
}

function unavailable(route: AppRoute): string {
  return nginxString(`${route.app} has no active upstream right now; try again shortly\n`);
}

export interface RenderedNginxRoutes {
  /** The routes config file: equal for two tables means no reload is needed. */
  config: string;
  /** The upstreams file the njs module reads per request. */
  upstreams: NginxRoutesFile;
  problems: string[];
}

/** The routes config (one server block per app, the 404 default and the version probe) and the upstreams file. */
export function renderNginxRoutes(table: RouteTable, o: NginxRouteOptions): RenderedNginxRoutes {
  const index = buildHostIndex(table);
  const problems = [...index.problems];
  const listen = hostPort(o.listen);
  const lines: string[] = ["# dockhand routes. Written by dockhand; edits are overwritten.", ""];
  const apps: Record<string, string[]> = {};
  for (const route of index.routes) {
    const names = serverNames(index.claimsOf(route));
    if (names.length === 0) continue;
    const { usable, problems: left } = usableUpstreams(route);
    problems.push(...left);
    apps[routeKey(route.env, route.app)] = usable.map((u) => hostPort({ host: u.address, port: u.port }));
    lines.push(...proxyServer(route, names, listen, o), "");
  }
  lines.push(
    "server {",
    `  listen ${listen} default_server;`,
    "  server_name _;",
    "  default_type text/plain;",
    `  location / { return 404 ${nginxString("no app is served at this hostname\n")}; }`,
    "}",
    "",
    "server {",
    `  listen ${listen};`,
    `  server_name ${VERSION_PROBE_HOST};`,
    "  default_type text/plain;",
    "  location = /version { js_content dockhand.version; }",
    "}",
    "",
  );
  return { config: lines.join("\n"), upstreams: { version: table.version, apps }, problems };
}

/** The main nginx.conf of an nginx that dockhand runs itself; it includes the routes file. */
export function renderNginxMain(o: NginxMainOptions): string {
  const path = (p: string) => nginxString(`${o.dir}/${p}`);
  return [
    "# Written by dockhand; edits are overwritten.",
    `load_module ${nginxString(o.jsModule)};`,
    "worker_processes auto;",
    `pid ${path("nginx.pid")};`,
    `error_log ${path("error.log")} warn;`,
    "daemon off;",
    `worker_shutdown_timeout ${timeout(o.shutdownTimeoutMs)};`,
    "events { worker_connections 4096; }",
    "http {",
    "  access_log off;",
    "  server_tokens off;",
    "  client_max_body_size 0;",
    "  # nginx closes a client connection after keepalive_requests (default 1,000); a request the client",
    "  # sent at that moment is reset. Rarer closes, fewer such resets.",
    "  keepalive_requests 100000;",
    `  client_body_temp_path ${path("tmp/body")};`,
    `  proxy_temp_path ${path("tmp/proxy")};`,
    `  fastcgi_temp_path ${path("tmp/fastcgi")};`,
    `  uwsgi_temp_path ${path("tmp/uwsgi")};`,
    `  scgi_temp_path ${path("tmp/scgi")};`,
    "  # nginx has no keep-alive pool for an upstream named by a variable (the njs module's pick): ask the",
    "  # upstream to close after each response, so TIME_WAIT piles up on its side, not on nginx's ports.",
    '  map $http_upgrade $dockhand_connection { default upgrade; "" close; }',
    '  map $http_x_request_id $dockhand_request_id { default $http_x_request_id; "" $request_id; }',
    "  # nginx has no escape for $ inside strings; this variable stands in for it.",
    '  geo $dollar { default "$"; }',
    `  js_import dockhand from ${nginxString(o.script)};`,
    "  js_set $dockhand_upstream dockhand.upstream;",
    "  js_set $dockhand_retry_upstream dockhand.retry;",
    `  include ${nginxString(o.routesFile)};`,
    "}",
    "",
  ].join("\n");
}
