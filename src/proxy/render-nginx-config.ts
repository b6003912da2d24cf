/**
 * The route table as nginx configuration (issue 5, "nginx and Caddy drivers").
 * Pure: the driver writes, tests (`nginx -t`) and reloads what this returns.
 * It keeps the built-in proxy's behaviour where nginx can: a wildcard matches
 * one label (a regex server_name, since nginx's own `*.` matches any depth),
 * draining upstreams get no new requests (they are left out; nginx's old
 * workers finish what they have), 404 for unknown hosts, 503 + Retry-After.
 */
import { createHash } from "node:crypto";
import type { AppRoute, RouteTable } from "../model/index.js";
import { routeKey } from "../model/index.js";
import { buildHostIndex, type HostClaims } from "./host-index.js";
import { hostPort, usableUpstreams } from "./usable-upstreams.js";

/** A hostname no app can be given (RFC 2606 `.invalid`); it answers the version of the loaded routes. */
export const VERSION_PROBE_HOST = "dockhand-routes.invalid";

export interface NginxRouteOptions {
  listen: { host: string; port: number };
  retryAfterSeconds: number;
  /** Idle keep-alive connections nginx keeps per upstream group. */
  upstreamKeepalive: number;
  connectTimeoutMs: number;
  readTimeoutMs: number;
}

export interface NginxMainOptions {
  /** Absolute directory for pid, logs and temp files. */
  dir: string;
  routesFile: string;
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

export function upstreamGroupName(route: AppRoute): string {
  const key = routeKey(route.env, route.app);
  const readable = key.replace(/[^a-z0-9]+/gi, "_").slice(0, 40);
  return `dockhand_${readable}_${createHash("sha256").update(key).digest("hex").slice(0, 8)}`;
}

function serverNames(claims: HostClaims): string[] {
  const wildcards = claims.wildcardOf.map((suffix) => `~^[^.]+\\.${suffix.replace(/\./g, "\\.")}$`);
  return [...claims.exact, ...wildcards];
}

function timeout(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}

function proxyServer(route: AppRoute, names: string[], listen: string, o: NginxRouteOptions): string[] {
  return [
    "server {",
    `  listen ${listen};`,
    `  server_name ${names.join(" ")};`,
    "  location / {",
    `    proxy_pass http://${upstreamGroupName(route)};`,
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
    "  }",
    "}",
  ];
}

function unavailableServer(route: AppRoute, names: string[], listen: string, o: NginxRouteOptions): string[] {
  return [
    "server {",
    `  listen ${listen};`,
    `  server_name ${names.join(" ")};`,
    "  default_type text/plain;",
    `  add_header Retry-After ${o.retryAfterSeconds} always;`,
    `  location / { return 503 ${nginxString(`${route.app} has no active upstream right now; try again shortly\n`)}; }`,
    "}",
  ];
}

export interface RenderedNginxRoutes {
  /** The whole routes file. */
  config: string;
  /** The part that routes requests, without the version: equal for two tables means no reload is needed. */
  routing: string;
  problems: string[];
}

/** The routes file: upstream groups and one server block per app, plus the 404 default and the version probe. */
export function renderNginxRoutes(table: RouteTable, o: NginxRouteOptions): RenderedNginxRoutes {
  const index = buildHostIndex(table);
  const problems = [...index.problems];
  const listen = hostPort(o.listen);
  const lines: string[] = [];
  for (const route of index.routes) {
    const names = serverNames(index.claimsOf(route));
    if (names.length === 0) continue;
    const { usable, problems: left } = usableUpstreams(route);
    problems.push(...left);
    if (usable.length === 0) {
      lines.push(...unavailableServer(route, names, listen, o), "");
      continue;
    }
    lines.push(`upstream ${upstreamGroupName(route)} {`);
    for (const u of usable) {
      lines.push(`  server ${hostPort({ host: u.address, port: u.port })};  # ${u.container.replace(/[\r\n]/g, " ")}`);
    }
    lines.push(`  keepalive ${o.upstreamKeepalive};`, "}", "");
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
  );
  const routing = lines.join("\n");
  const probe = [
    "server {",
    `  listen ${listen};`,
    `  server_name ${VERSION_PROBE_HOST};`,
    "  default_type text/plain;",
    `  location = /version { return 200 "${table.version}"; }`,
    "}",
    "",
  ];
  const header = `# dockhand routes, version ${table.version}. Written by dockhand; edits are overwritten.\n\n`;
  return { config: `${header}${routing}\n${probe.join("\n")}`, routing, problems };
}

/** The main nginx.conf of an nginx that dockhand runs itself; it includes the routes file. */
export function renderNginxMain(o: NginxMainOptions): string {
  const path = (p: string) => nginxString(`${o.dir}/${p}`);
  return [
    "# Written by dockhand; edits are overwritten.",
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
    `  client_body_temp_path ${path("tmp/body")};`,
    `  proxy_temp_path ${path("tmp/proxy")};`,
    `  fastcgi_temp_path ${path("tmp/fastcgi")};`,
    `  uwsgi_temp_path ${path("tmp/uwsgi")};`,
    `  scgi_temp_path ${path("tmp/scgi")};`,
    '  map $http_upgrade $dockhand_connection { default upgrade; "" ""; }',
    '  map $http_x_request_id $dockhand_request_id { default $http_x_request_id; "" $request_id; }',
    "  # nginx has no escape for $ inside strings; this variable stands in for it.",
    '  geo $dollar { default "$"; }',
    `  include ${nginxString(o.routesFile)};`,
    "}",
    "",
  ].join("\n");
}
