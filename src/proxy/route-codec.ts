/**
 * Route tables as stored (Redis hash fields, the snapshot file): JSON in,
 * checked AppRoute / RouteTable out. A record that does not fit fails the
 * whole load with where and what, so a proxy keeps its last good table
 * rather than silently losing an app's routes.
 */
import type { AppRoute, RouteTable, Upstream } from "../model/index.js";
import { DockhandError } from "../model/index.js";

function fail(where: string, what: string): never {
  throw new DockhandError("DOCKHAND_E_PROXY", `route store ${where}: ${what}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function text(where: string, obj: Record<string, unknown>, key: string): string {
  const v = obj[key];
  if (typeof v !== "string" || v === "") fail(where, `${key} should be a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

function decodeUpstream(where: string, v: unknown): Upstream {
  if (!isRecord(v)) fail(where, "should be an object");
  const port = v.port;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65_535) {
    fail(where, `port should be an integer from 1 to 65535, got ${JSON.stringify(port)}`);
  }
  const state = v.state;
  if (state !== "active" && state !== "draining") {
    fail(where, `state should be "active" or "draining", got ${JSON.stringify(state)}`);
  }
  return {
    host: text(where, v, "host"),
    address: text(where, v, "address"),
    port,
    container: text(where, v, "container"),
    state,
  };
}

/** Check one parsed AppRoute; `where` names the record in messages (e.g. `field production/web`). */
export function checkAppRoute(where: string, v: unknown): AppRoute {
  if (!isRecord(v)) fail(where, "should be an object");
  const { hostnames, upstreams } = v;
  if (!Array.isArray(hostnames) || !hostnames.every((h) => typeof h === "string")) {
    fail(where, "hostnames should be a list of strings");
  }
  if (!Array.isArray(upstreams)) fail(where, "upstreams should be a list");
  return {
    app: text(where, v, "app"),
    env: text(where, v, "env"),
    hostnames: [...hostnames],
    upstreams: upstreams.map((u, i) => decodeUpstream(`${where} upstreams[${i}]`, u)),
  };
}

export function decodeAppRoute(where: string, json: string): AppRoute {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    fail(where, `not JSON (${(err as Error).message})`);
  }
  return checkAppRoute(where, parsed);
}

export function encodeAppRoute(route: AppRoute): string {
  return JSON.stringify(checkAppRoute(`route ${route.env}/${route.app}`, route));
}

export function decodeRouteTable(where: string, json: string): RouteTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    fail(where, `not JSON (${(err as Error).message})`);
  }
  if (!isRecord(parsed)) fail(where, "should be an object with version and routes");
  const { epoch, version, routes } = parsed;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 0) {
    fail(where, `version should be an integer >= 0, got ${JSON.stringify(version)}`);
  }
  if (epoch !== undefined && typeof epoch !== "string")
    fail(where, `epoch should be a string, got ${JSON.stringify(epoch)}`);
  if (!Array.isArray(routes)) fail(where, "routes should be a list");
  const checked = routes.map((r, i) => checkAppRoute(`${where} routes[${i}]`, r));
  return epoch === undefined ? { version, routes: checked } : { epoch, version, routes: checked };
}
