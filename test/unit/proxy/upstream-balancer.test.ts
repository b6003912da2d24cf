import { describe, expect, it } from "vitest";
import type { Upstream } from "../../../src/model/index.js";
import { originOf, UpstreamBalancer, type UpstreamView } from "../../../src/proxy/upstream-balancer.js";
import { route, upstream } from "./route-fixtures.js";

function view(inFlight: Record<string, number> = {}, ejected: string[] = []): UpstreamView {
  return {
    inFlight: (u: Upstream) => inFlight[u.container] ?? 0,
    isEjected: (u: Upstream) => ejected.includes(u.container),
  };
}

function picks(
  b: UpstreamBalancer,
  n: number,
  v: UpstreamView,
  strategy: "round-robin" | "least-in-flight" = "round-robin",
) {
  return Array.from({ length: n }, () => b.pick(strategy, v)?.container);
}

const a = upstream("a", 1001);
const b = upstream("b", 1002);
const c = upstream("c", 1003);
const old = upstream("old", 1004, "draining");

describe("UpstreamBalancer", () => {
  it("goes round robin over active upstreams and never picks a draining one", () => {
    expect(picks(new UpstreamBalancer(route("web", [], [a, old, b, c])), 6, view())).toEqual([
      "a",
      "b",
      "c",
      "a",
      "b",
      "c",
    ]);
  });

  it("has nothing to pick when every upstream drains", () => {
    const balancer = new UpstreamBalancer(route("web", [], [old]));
    expect(balancer.active).toEqual([]);
    expect(balancer.pick("round-robin", view())).toBeUndefined();
  });

  it("skips origins already tried, and runs out when all were", () => {
    const balancer = new UpstreamBalancer(route("web", [], [a, b]));
    expect(balancer.pick("round-robin", view(), new Set([originOf(a)]))?.container).toBe("b");
    expect(balancer.pick("round-robin", view(), new Set([originOf(a)]))?.container).toBe("b");
    expect(balancer.pick("round-robin", view(), new Set([originOf(a), originOf(b)]))).toBeUndefined();
  });

  it("skips ejected upstreams while a healthy one is left", () => {
    expect(picks(new UpstreamBalancer(route("web", [], [a, b, c])), 4, view({}, ["b"]))).toEqual(["a", "c", "a", "c"]);
  });

  it("uses ejected upstreams when every one is ejected, rather than answering 503", () => {
    expect(picks(new UpstreamBalancer(route("web", [], [a, b])), 2, view({}, ["a", "b"]))).toEqual(["a", "b"]);
  });

  const least: Array<[string, Record<string, number>, string[]]> = [
    ["the upstream with fewest in flight", { a: 3, b: 0, c: 2 }, ["b", "b", "b"]],
    ["ties in turn", { a: 1, b: 1, c: 5 }, ["a", "b", "a"]],
    ["all equal: round robin", {}, ["a", "b", "c"]],
  ];
  it.each(least)("least-in-flight picks %s", (_name, counts, expected) => {
    expect(picks(new UpstreamBalancer(route("web", [], [a, b, c])), 3, view(counts), "least-in-flight")).toEqual(
      expected,
    );
  });

  it("continues round robin where a previous balancer stopped", () => {
    const first = new UpstreamBalancer(route("web", [], [a, b, c]));
    first.pick("round-robin", view());
    const next = new UpstreamBalancer(route("web", [], [a, b, c]), first.cursor);
    expect(next.pick("round-robin", view())?.container).toBe("b");
  });

  it("writes IPv6 origins in brackets", () => {
    expect(originOf(upstream("v6", 8080, "active", "::1"))).toBe("[::1]:8080");
    expect(originOf(a)).toBe("127.0.0.1:1001");
  });
});
