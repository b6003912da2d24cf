/**
 * Which of a route's upstreams a rendered config (nginx, Caddy) may name: the
 * active ones whose address and port cannot break the file or mean something
 * else. A table from the route store is already checked; this guards tables
 * built elsewhere.
 */
import type { AppRoute, Upstream } from "../model/index.js";
import { routeKey } from "../model/index.js";

const SAFE_ADDRESS = /^(?:[0-9a-z.-]+|[0-9a-f:.]+)$/i;

export function usableUpstreams(route: AppRoute): { usable: Upstream[]; problems: string[] } {
  const usable: Upstream[] = [];
  const problems: string[] = [];
  for (const u of route.upstreams) {
    if (u.state !== "active") continue;
    const portOk = Number.isInteger(u.port) && u.port >= 1 && u.port <= 65_535;
    if (SAFE_ADDRESS.test(u.address) && portOk) usable.push(u);
    else problems.push(`${routeKey(route.env, route.app)}: upstream "${u.address}" port ${u.port} left out`);
  }
  return { usable, problems };
}

/** host:port, with IPv6 addresses in brackets. */
export function hostPort(at: { host: string; port: number }): string {
  return at.host.includes(":") ? `[${at.host}]:${at.port}` : `${at.host}:${at.port}`;
}
