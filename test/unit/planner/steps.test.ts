import { describe, expect, it } from "vitest";
import type { AppSpec, HostSpec, ObservedContainer } from "../../../src/model/index.js";
import { plan } from "../../../src/planner/index.js";
import type { ObserveOptions } from "./fixtures.js";
import { app, built, bumped, changeOf, container, desired, host, observe, route, stepsOf } from "./fixtures.js";

const hosts = [host("alpha"), host("beta")];
const web = app("web", { replicas: 2 });
const web2 = bumped(web);
const svc = built("svc", { replicas: 2 });
/** Short names: `web-production-0-web-v1` is the slot-0 container at v1. */
const n = (spec: AppSpec, slot: number, hash = spec.specHash) => `${spec.name}-${spec.env}-${slot}-${hash}`;

interface Case {
  name: string;
  want: AppSpec;
  running: ObservedContainer[];
  hosts?: HostSpec[];
  observed?: ObserveOptions;
  steps: string[];
}

const cases: Case[] = [
  {
    name: "rolling replace, batch 1: pull, then slot by slot start ─▶ healthy ─▶ route in ─▶ route out ─▶ drain ─▶ stop; removes last",
    want: web2,
    running: [container(web, 0, "alpha"), container(web, 1, "beta")],
    steps: [
      "pull web:2 on alpha",
      "pull web:2 on beta",
      `start ${n(web2, 0)}@alpha`,
      `waitHealthy ${n(web2, 0)}@alpha`,
      `routeIn ${n(web2, 0)}@alpha`,
      `routeOut ${n(web, 0)}@alpha`,
      `drain ${n(web, 0)}@alpha 1000ms`,
      `stop ${n(web, 0)}@alpha`,
      `start ${n(web2, 1)}@beta`,
      `waitHealthy ${n(web2, 1)}@beta`,
      `routeIn ${n(web2, 1)}@beta`,
      `routeOut ${n(web, 1)}@beta`,
      `drain ${n(web, 1)}@beta 1000ms`,
      `stop ${n(web, 1)}@beta`,
      `remove ${n(web, 0)}@alpha`,
      `remove ${n(web, 1)}@beta`,
    ],
  },
  {
    name: "batch 2: both slots at once, steps of one kind side by side; drain takes rollout.drainMs",
    want: bumped(web, 2, { rollout: { batch: 2, drainMs: 5000 } }),
    running: [container(web, 0, "alpha"), container(web, 1, "beta")],
    observed: { images: { alpha: ["web:2"], beta: ["web:2"] } },
    steps: [
      `start ${n(web2, 0)}@alpha`,
      `start ${n(web2, 1)}@beta`,
      `waitHealthy ${n(web2, 0)}@alpha`,
      `waitHealthy ${n(web2, 1)}@beta`,
      `routeIn ${n(web2, 0)}@alpha`,
      `routeIn ${n(web2, 1)}@beta`,
      `routeOut ${n(web, 0)}@alpha`,
      `routeOut ${n(web, 1)}@beta`,
      `drain ${n(web, 0)}@alpha 5000ms`,
      `drain ${n(web, 1)}@beta 5000ms`,
      `stop ${n(web, 0)}@alpha`,
      `stop ${n(web, 1)}@beta`,
      `remove ${n(web, 0)}@alpha`,
      `remove ${n(web, 1)}@beta`,
    ],
  },
  {
    name: "a build app no host has: built once on the first target host, shipped to the others",
    want: svc,
    running: [],
    steps: [
      "build dockhand/svc:tree1 on alpha",
      "ship dockhand/svc:tree1 alpha->beta",
      `start ${n(svc, 0)}@alpha`,
      `waitHealthy ${n(svc, 0)}@alpha`,
      `routeIn ${n(svc, 0)}@alpha`,
      `start ${n(svc, 1)}@beta`,
      `waitHealthy ${n(svc, 1)}@beta`,
      `routeIn ${n(svc, 1)}@beta`,
    ],
  },
  {
    name: "a build app one target host already has: shipped from it, not rebuilt",
    want: svc,
    running: [],
    observed: { images: { beta: ["dockhand/svc:tree1"] } },
    steps: [
      "ship dockhand/svc:tree1 beta->alpha",
      `start ${n(svc, 0)}@alpha`,
      `waitHealthy ${n(svc, 0)}@alpha`,
      `routeIn ${n(svc, 0)}@alpha`,
      `start ${n(svc, 1)}@beta`,
      `waitHealthy ${n(svc, 1)}@beta`,
      `routeIn ${n(svc, 1)}@beta`,
    ],
  },
  {
    name: "a build app only a non-target host has: shipped from that host",
    want: built("svc", { replicas: 1, placement: { hosts: ["alpha"] } }),
    running: [],
    observed: { images: { beta: ["dockhand/svc:tree1"] } },
    steps: [
      "ship dockhand/svc:tree1 beta->alpha",
      `start ${n(svc, 0)}@alpha`,
      `waitHealthy ${n(svc, 0)}@alpha`,
      `routeIn ${n(svc, 0)}@alpha`,
    ],
  },
  {
    name: "self-heal of an exited container: same name, so it is removed before the start; nothing to route out",
    want: app("web", { replicas: 1 }),
    running: [container(web, 0, "alpha", { state: "exited" })],
    steps: [
      `remove ${n(web, 0)}@alpha`,
      `start ${n(web, 0)}@alpha`,
      `waitHealthy ${n(web, 0)}@alpha`,
      `routeIn ${n(web, 0)}@alpha`,
    ],
  },
  {
    name: "self-heal of an unhealthy running container: routed out, drained, stopped and removed before the start",
    want: app("web", { replicas: 1 }),
    running: [container(web, 0, "alpha", { health: "unhealthy" })],
    steps: [
      `routeOut ${n(web, 0)}@alpha`,
      `drain ${n(web, 0)}@alpha 1000ms`,
      `stop ${n(web, 0)}@alpha`,
      `remove ${n(web, 0)}@alpha`,
      `start ${n(web, 0)}@alpha`,
      `waitHealthy ${n(web, 0)}@alpha`,
      `routeIn ${n(web, 0)}@alpha`,
    ],
  },
  {
    name: "a dead old container with another spec is not serving: no route out, drain or stop; removed at the end",
    want: bumped(web, 2, { replicas: 1 }),
    running: [container(web, 0, "alpha", { state: "exited" })],
    observed: { images: { alpha: ["web:2"] } },
    steps: [
      `start ${n(web2, 0)}@alpha`,
      `waitHealthy ${n(web2, 0)}@alpha`,
      `routeIn ${n(web2, 0)}@alpha`,
      `remove ${n(web, 0)}@alpha`,
    ],
  },
  {
    name: "scale down: route out, drain, stop, remove",
    want: app("web", { replicas: 1 }),
    running: [container(web, 0, "alpha"), container(web, 1, "beta"), container(web, 2, "beta", { state: "exited" })],
    steps: [
      `routeOut ${n(web, 1)}@beta`,
      `drain ${n(web, 1)}@beta 1000ms`,
      `stop ${n(web, 1)}@beta`,
      `remove ${n(web, 1)}@beta`,
      `remove ${n(web, 2)}@beta`,
    ],
  },
  {
    name: "scale up only pulls where the image is missing",
    want: app("web", { replicas: 3 }),
    running: [container(web, 0, "alpha"), container(web, 1, "beta")],
    hosts: [host("alpha"), host("beta"), host("gamma")],
    steps: [
      "pull web:1 on gamma",
      `start ${n(web, 2)}@gamma`,
      `waitHealthy ${n(web, 2)}@gamma`,
      `routeIn ${n(web, 2)}@gamma`,
    ],
  },
  {
    name: "hostname-only change: one setHostnames step, no container touched",
    want: app("web", { replicas: 1, hostnames: ["www.example.com", "example.com"] }),
    running: [container(web, 0, "alpha")],
    observed: { routes: [route(web, ["www.example.com"])] },
    steps: ["setHostnames www.example.com,example.com"],
  },
  {
    name: "hostnames and image change: hostnames switch once every new container is in, before old ones are removed",
    want: bumped(web, 2, { replicas: 1, hostnames: ["new.example.com"] }),
    running: [container(web, 0, "alpha")],
    observed: { routes: [route(web, ["old.example.com"])], images: { alpha: ["web:2"] } },
    steps: [
      `start ${n(web2, 0)}@alpha`,
      `waitHealthy ${n(web2, 0)}@alpha`,
      `routeIn ${n(web2, 0)}@alpha`,
      `routeOut ${n(web, 0)}@alpha`,
      `drain ${n(web, 0)}@alpha 1000ms`,
      `stop ${n(web, 0)}@alpha`,
      "setHostnames new.example.com",
      `remove ${n(web, 0)}@alpha`,
    ],
  },
];

describe("steps", () => {
  for (const c of cases) {
    it(c.name, () => {
      const h = c.hosts ?? hosts;
      const p = plan(desired(h, [c.want]), observe(h, c.running, c.observed));
      expect(stepsOf(p, c.want.name)).toEqual(c.steps);
    });
  }

  it("a deleted app is routed out, drained (default 10 s), stopped, its route dropped, its containers removed", () => {
    const old = app("old", { replicas: 1, hostnames: ["old.example.com"] });
    const running = [container(old, 0, "alpha"), container(old, 1, "beta", { state: "exited" })];
    const p = plan(desired(hosts, []), observe(hosts, running, { routes: [route(old)] }));
    expect(changeOf(p, "old").hostnames).toEqual({ before: ["old.example.com"], after: [] });
    expect(stepsOf(p, "old")).toEqual([
      "setHostnames ",
      `routeOut ${n(old, 0)}@alpha`,
      `drain ${n(old, 0)}@alpha 10000ms`,
      `stop ${n(old, 0)}@alpha`,
      `remove ${n(old, 0)}@alpha`,
      `remove ${n(old, 1)}@beta`,
    ]);
  });

  it("a route left over from an app with no containers is dropped", () => {
    const gone = app("gone", { hostnames: ["gone.example.com"] });
    const p = plan(desired(hosts, []), observe(hosts, [], { routes: [route(gone)] }));
    expect(changeOf(p, "gone").kind).toBe("delete");
    expect(stepsOf(p, "gone")).toEqual(["setHostnames "]);
  });

  it("a new app's hostnames are set once its containers are in, when the route table is known", () => {
    const fresh = app("fresh", { hostnames: ["fresh.example.com"] });
    const p = plan(desired(hosts, [fresh]), observe(hosts, [], { routes: [], images: { alpha: ["fresh:1"] } }));
    expect(stepsOf(p, "fresh")).toEqual([
      `start ${n(fresh, 0)}@alpha`,
      `waitHealthy ${n(fresh, 0)}@alpha`,
      `routeIn ${n(fresh, 0)}@alpha`,
      "setHostnames fresh.example.com",
    ]);
    expect(changeOf(p, "fresh").hostnames).toEqual({ before: [], after: ["fresh.example.com"] });
  });

  it("no hostname step when the route table is unknown", () => {
    const p = plan(
      desired(hosts, [app("web", { hostnames: ["x.example.com"] })]),
      observe(hosts, [container(web, 0, "alpha")]),
    );
    expect(changeOf(p, "web").kind).toBe("unchanged");
    expect(changeOf(p, "web").hostnames).toBeUndefined();
  });

  it("hostnames in another order are no change", () => {
    const spec = app("web", { hostnames: ["a.example.com", "b.example.com"] });
    const obs = observe(hosts, [container(spec, 0, "alpha")], {
      routes: [route(spec, ["b.example.com", "a.example.com"])],
    });
    expect(changeOf(plan(desired(hosts, [spec]), obs), "web").kind).toBe("unchanged");
  });

  it("new container names follow containerName and old refs carry the container id", () => {
    const p = plan(desired(hosts, [web2]), observe(hosts, [container(web, 0, "alpha"), container(web, 1, "beta")]));
    const slot0 = changeOf(p, "web").slots[0];
    expect(slot0?.container).toBe("web-production-0-web-v2");
    expect(slot0?.old).toEqual({
      host: "alpha",
      id: "alpha-web-production-0-web-v1",
      name: n(web, 0),
      slot: 0,
      specHash: "web-v1",
    });
  });
});
