import { describe, expect, it } from "vitest";
import { plan } from "../../../src/planner/index.js";
import { app, changeOf, container, desired, host, observe, route, slotsOf, stepsOf } from "./fixtures.js";

const web = app("web", { replicas: 2 });

describe("a host removed from dockhand.yaml", () => {
  const hosts = [host("alpha"), host("beta")];
  const running = [container(web, 0, "alpha"), container(web, 1, "gamma")];
  const p = plan(desired(hosts, [web]), observe(hosts, running, { extraHosts: ["gamma"] }));

  it("has its slots moved to an eligible host", () => {
    expect(slotsOf(p, "web")).toEqual([
      "0 keep alpha",
      "1 replace gamma->beta (host gamma removed from dockhand.yaml)",
    ]);
  });

  it("loses its containers only after their successors serve", () => {
    expect(stepsOf(p, "web")).toEqual([
      "pull web:1 on beta",
      "start web-production-1-web-v1@beta",
      "waitHealthy web-production-1-web-v1@beta",
      "routeIn web-production-1-web-v1@beta",
      "routeOut web-production-1-web-v1@gamma",
      "drain web-production-1-web-v1@gamma 1000ms",
      "stop web-production-1-web-v1@gamma",
      "remove web-production-1-web-v1@gamma",
    ]);
  });

  it("is not a source of images: a build happens on a host in dockhand.yaml", () => {
    const svc = app("svc", {
      image: "dockhand/svc:tree1",
      build: { context: "services/svc", dockerfile: "Dockerfile", contextHash: "tree1" },
    });
    const q = plan(desired(hosts, [svc]), observe(hosts, [container(svc, 0, "gamma")], { extraHosts: ["gamma"] }));
    expect(stepsOf(q, "svc").slice(0, 1)).toEqual(["build dockhand/svc:tree1 on alpha"]);
  });

  it("warns, and leaves alone, a removed host that is unreachable", () => {
    const q = plan(desired(hosts, [web]), observe(hosts, running, { extraHosts: ["gamma"], unreachable: ["gamma"] }));
    expect(q.warnings).toEqual([
      "host gamma removed from dockhand.yaml but unreachable (connect ECONNREFUSED): its containers are left alone",
    ]);
    expect(changeOf(q, "web").steps.every((s) => !JSON.stringify(s).includes("gamma"))).toBe(true);
  });
});

describe("an unreachable host", () => {
  const hosts = [host("alpha"), host("beta"), host("delta")];
  const running = [container(web, 0, "alpha"), container(web, 1, "delta")];

  it("is never cleaned up: no step touches it, even for an app that was deleted", () => {
    const old = app("old");
    const obs = observe(hosts, [...running, container(old, 0, "delta")], { unreachable: ["delta"] });
    // The adapter cannot list an unreachable host's containers; pretend it reports what it last knew.
    const delta = obs.hosts.find((h) => h.name === "delta");
    if (delta) delta.containers = [container(web, 1, "delta"), container(old, 0, "delta")];
    const p = plan(desired(hosts, [web]), obs);
    for (const change of p.changes) {
      for (const step of change.steps) expect(JSON.stringify(step)).not.toContain("delta");
    }
    expect(p.changes.map((c) => c.app)).toEqual(["web"]);
    expect(p.warnings).toContain(
      "app old (production) runs only on unreachable hosts (delta): pruned once they are back",
    );
  });

  it("has its slots placed on reachable hosts while it is down, and the plan says so", () => {
    const obs = observe(hosts, running, { unreachable: ["delta"] });
    const delta = obs.hosts.find((h) => h.name === "delta");
    if (delta) delta.containers = [container(web, 1, "delta")];
    const p = plan(desired(hosts, [web]), obs);
    expect(slotsOf(p, "web")).toEqual(["0 keep alpha", "1 create beta (host delta unreachable)"]);
    expect(p.warnings).toEqual([
      "host delta unreachable (connect ECONNREFUSED): its containers are presumed alive and left alone; " +
        "slots without a reachable container are placed on other hosts while it is down",
    ]);
  });

  it("when its containers are not visible at all, their slots are recreated elsewhere", () => {
    const p = plan(desired(hosts, [web]), observe(hosts, running, { unreachable: ["delta"] }));
    expect(slotsOf(p, "web")).toEqual(["0 keep alpha", "1 create beta (no container on a reachable host)"]);
  });

  it("once back, a slot served twice (there and where it was placed meanwhile) keeps one, the oldest", () => {
    const moved = [container(web, 0, "alpha"), container(web, 1, "delta"), container(web, 1, "beta")];
    const p = plan(desired(hosts, [web]), observe(hosts, moved));
    expect(slotsOf(p, "web")).toEqual(["0 keep alpha", "1 keep delta", "1 remove beta (duplicate of slot 1)"]);
  });

  it("among equal duplicates the one the proxy routes to stays, else the oldest", () => {
    const older = container(web, 1, "delta");
    const newer = container(web, 1, "beta");
    const both = [container(web, 0, "alpha"), newer, older];
    expect(slotsOf(plan(desired(hosts, [web]), observe(hosts, both)), "web")[1]).toBe("1 keep delta");
    const routed = observe(hosts, both, { routes: [{ ...route(web, [], [newer]) }] });
    expect(slotsOf(plan(desired(hosts, [web]), routed), "web")[1]).toBe("1 keep beta");
  });

  it("a host in dockhand.yaml but missing from the observed state counts as unreachable", () => {
    const obs = observe([host("alpha")], [container(web, 0, "alpha")]);
    const p = plan(desired(hosts, [web]), obs);
    expect(slotsOf(p, "web")).toEqual(["0 keep alpha", "1 create alpha (no container on a reachable host)"]);
    expect(p.warnings.map((w) => w.slice(0, 40))).toEqual([
      "host beta unreachable (not observed): it",
      "host delta unreachable (not observed): i",
    ]);
  });
});
