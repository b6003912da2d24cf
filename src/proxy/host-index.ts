/**
 * Hostname ─▶ route lookup for every proxy driver. Exact names win over
 * wildcards; a wildcard `*.preview.example.com` matches exactly one more label
 * (`a.preview.example.com`, not `preview.example.com` nor `a.b.preview.example.com`),
 * like a wildcard TLS certificate does.
 */
import type { AppRoute, RouteTable } from "../model/index.js";
import { routeKey } from "../model/index.js";

export interface HostIndex {
  readonly version: number;
  readonly routes: readonly AppRoute[];
  /** Hostnames the index could not take (malformed, or claimed by two apps), in words a person can act on. */
  readonly problems: readonly string[];
  /** `host` is already normalised (see normalizeHost). */
  lookup(host: string): AppRoute | undefined;
  /** The hostnames a route won (normalised; wildcards as the part after `*.`), for drivers that render configs. */
  claimsOf(route: AppRoute): HostClaims;
}

export interface HostClaims {
  exact: string[];
  /** `preview.example.com` for `*.preview.example.com`. */
  wildcardOf: string[];
}

/**
 * A Host header (or :authority, or SNI name) as a lookup key: lowercase,
 * without port and without a trailing dot. Undefined when there is no usable name.
 */
export function normalizeHost(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let host = raw.trim().toLowerCase();
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    if (end < 0) return undefined;
    const rest = host.slice(end + 1);
    if (rest !== "" && !/^:\d*$/.test(rest)) return undefined;
    return host.slice(0, end + 1);
  }
  const colon = host.indexOf(":");
  if (colon >= 0) {
    if (!/^\d*$/.test(host.slice(colon + 1))) return undefined;
    host = host.slice(0, colon);
  }
  if (host.endsWith(".")) host = host.slice(0, -1);
  return host === "" ? undefined : host;
}

const LABEL = "[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?";
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const ONE_LABEL = new RegExp(`^${LABEL}$`);

/** A route's hostname as the index stores it: `{ exact }`, `{ wildcardOf }` (the part after `*.`), or a problem. */
export function parseRouteHostname(raw: string): { exact: string } | { wildcardOf: string } | { problem: string } {
  const name = normalizeHost(raw);
  if (name === undefined) return { problem: `"${raw}" is not a hostname` };
  if (name.startsWith("*.")) {
    const rest = name.slice(2);
    if (HOSTNAME.test(rest)) return { wildcardOf: rest };
    return { problem: `"${raw}": a wildcard must be "*." followed by a hostname, like "*.preview.example.com"` };
  }
  if (HOSTNAME.test(name) || /^\[[0-9a-f:.]+\]$/.test(name)) return { exact: name };
  return { problem: `"${raw}" is not a hostname (letters, digits, "-" and "." only; "*." only as the first label)` };
}

function claim(map: Map<string, AppRoute>, name: string, route: AppRoute, problems: string[], shown: string): boolean {
  const owner = map.get(name);
  if (owner === undefined) {
    map.set(name, route);
    return true;
  }
  if (owner === route) return false;
  const ownerKey = routeKey(owner.env, owner.app);
  problems.push(`${shown} is claimed by ${ownerKey} and ${routeKey(route.env, route.app)}; ${ownerKey} keeps it`);
  return false;
}

/** Routes are taken in `env/app` order so a hostname claimed twice goes to the same app in every process. */
export function buildHostIndex(table: RouteTable): HostIndex {
  const routes = [...table.routes].sort((a, b) => compareKeys(routeKey(a.env, a.app), routeKey(b.env, b.app)));
  const exact = new Map<string, AppRoute>();
  const wildcard = new Map<string, AppRoute>();
  const problems: string[] = [];
  const claims = new Map<AppRoute, HostClaims>();
  for (const route of routes) {
    const won: HostClaims = { exact: [], wildcardOf: [] };
    claims.set(route, won);
    for (const hostname of route.hostnames) {
      const parsed = parseRouteHostname(hostname);
      const where = routeKey(route.env, route.app);
      if ("problem" in parsed) problems.push(`${where}: ${parsed.problem}`);
      else if ("exact" in parsed) {
        if (claim(exact, parsed.exact, route, problems, parsed.exact)) won.exact.push(parsed.exact);
      } else if (claim(wildcard, parsed.wildcardOf, route, problems, `*.${parsed.wildcardOf}`)) {
        won.wildcardOf.push(parsed.wildcardOf);
      }
    }
  }
  return {
    version: table.version,
    routes,
    problems,
    lookup(host: string): AppRoute | undefined {
      const hit = exact.get(host);
      if (hit !== undefined || wildcard.size === 0) return hit;
      const dot = host.indexOf(".");
      // A wildcard stands for one DNS label, as in a certificate: `a/b.preview.example.com` is no name it covers.
      return dot > 0 && ONE_LABEL.test(host.slice(0, dot)) ? wildcard.get(host.slice(dot + 1)) : undefined;
    },
    claimsOf(route: AppRoute): HostClaims {
      return claims.get(route) ?? { exact: [], wildcardOf: [] };
    },
  };
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
