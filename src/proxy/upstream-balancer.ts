/**
 * Chooses the upstream for one request among an app's active upstreams.
 * Draining upstreams never get new requests; ejected ones (passive health,
 * see UpstreamRegistry) are skipped unless every active upstream is ejected,
 * because trying a maybe-broken upstream beats answering 503 for sure.
 */
import type { AppRoute, Upstream } from "../model/index.js";

export type BalanceStrategy = "round-robin" | "least-in-flight";

export const BALANCE_STRATEGIES: readonly BalanceStrategy[] = ["round-robin", "least-in-flight"];

/** What the balancer asks about upstreams' live state. */
export interface UpstreamView {
  inFlight(upstream: Upstream): number;
  isEjected(upstream: Upstream): boolean;
}

export function originOf(upstream: Upstream): string {
  return upstream.address.includes(":")
    ? `[${upstream.address}]:${upstream.port}`
    : `${upstream.address}:${upstream.port}`;
}

export class UpstreamBalancer {
  readonly route: AppRoute;
  /** Active upstreams, fixed for this route version. */
  readonly active: readonly Upstream[];
  private next = 0;

  constructor(route: AppRoute, startAt = 0) {
    this.route = route;
    this.active = route.upstreams.filter((u) => u.state === "active");
    this.next = startAt;
  }

  /** Where round robin continues, so a hot swap does not send the next request to the first upstream again. */
  get cursor(): number {
    return this.next;
  }

  /** The next upstream, or undefined when none is active (or all are in `exclude`: origins already tried). */
  pick(strategy: BalanceStrategy, view: UpstreamView, exclude?: ReadonlySet<string>): Upstream | undefined {
    const candidates = exclude && exclude.size > 0 ? this.active.filter((u) => !exclude.has(originOf(u))) : this.active;
    if (candidates.length === 0) return undefined;
    // The common case, nothing ejected, allocates nothing.
    const pool = candidates.some((u) => view.isEjected(u)) ? healthyOrAll(candidates, view) : candidates;
    const start = this.next++;
    if (strategy === "round-robin" || pool.length === 1) return pool[start % pool.length];
    return leastInFlight(pool, view, start);
  }
}

function healthyOrAll(candidates: readonly Upstream[], view: UpstreamView): readonly Upstream[] {
  const healthy = candidates.filter((u) => !view.isEjected(u));
  return healthy.length > 0 ? healthy : candidates;
}

/** Fewest in-flight requests; ties go round robin so equal upstreams share the load. */
function leastInFlight(pool: readonly Upstream[], view: UpstreamView, start: number): Upstream | undefined {
  let best: Upstream | undefined;
  let bestCount = Number.POSITIVE_INFINITY;
  for (let i = 0; i < pool.length; i++) {
    const u = pool[(start + i) % pool.length]!;
    const count = view.inFlight(u);
    if (count < bestCount) {
      best = u;
      bestCount = count;
    }
  }
  return best;
}
