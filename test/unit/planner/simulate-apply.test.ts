import { describe, expect, it } from "vitest";
import type { Plan, Step } from "../../../src/model/index.js";
import { plan, simulateApply } from "../../../src/planner/index.js";
import { app, bumped, container, desired, host, observe, route, SOURCE } from "./fixtures.js";

const hosts = [host("alpha"), host("beta")];
const web = app("web", { hostnames: ["www.example.com"] });
const running = container(web, 0, "alpha");
const dead = container(app("old"), 0, "alpha", { state: "exited" });
const observed = observe([...hosts, host("delta")], [running, dead], {
  unreachable: ["delta"],
  routes: [route(web, web.hostnames, [running])],
});
const fresh = { host: "alpha", name: "web-production-0-web-v2", slot: 0 };
const old = { host: "alpha", id: running.id, name: running.name, slot: 0 };

function planOf(steps: Step[], spec = bumped(web)): Plan {
  return {
    source: SOURCE,
    warnings: [],
    changes: [{ app: "web", env: "production", kind: "update", reasons: [], slots: [], steps, spec }],
  };
}

const refusals: Array<{ name: string; steps: Step[]; error: string }> = [
  {
    name: "start without the image on the host",
    steps: [{ kind: "start", container: fresh }],
    error: "alpha lacks image web:2",
  },
  {
    name: "start with a name already in use",
    steps: [
      { kind: "pull", host: "alpha", image: "web:2" },
      { kind: "start", container: { ...old } },
    ],
    error: `container name ${running.name} already in use on alpha`,
  },
  {
    name: "route in before wait healthy",
    steps: [
      { kind: "pull", host: "alpha", image: "web:2" },
      { kind: "start", container: fresh },
      { kind: "routeIn", container: fresh },
    ],
    error: "routed in before waitHealthy",
  },
  { name: "stop a container still routed", steps: [{ kind: "stop", container: old }], error: "is still routed" },
  {
    name: "drain a container still routed",
    steps: [{ kind: "drain", container: old, ms: 1 }],
    error: "is still routed",
  },
  {
    name: "remove a running container",
    steps: [
      { kind: "routeOut", container: old },
      { kind: "remove", container: old },
    ],
    error: "removed while running",
  },
  {
    name: "act on an unreachable host",
    steps: [{ kind: "pull", host: "delta", image: "web:2" }],
    error: "host delta is unreachable",
  },
  {
    name: "ship from a host without the image",
    steps: [{ kind: "ship", image: "web:2", from: "beta", to: "alpha" }],
    error: "beta lacks web:2",
  },
  {
    name: "a container that does not exist",
    steps: [{ kind: "remove", container: { ...old, id: "nope" } }],
    error: "no container",
  },
];

describe("simulateApply", () => {
  for (const r of refusals) {
    it(`refuses to ${r.name}`, () => {
      expect(() => simulateApply(observed, planOf(r.steps))).toThrow(r.error);
    });
  }

  it("applies a real plan: new containers running with the spec's labels, old ones gone, routes switched", () => {
    const d = desired(hosts, [bumped(web, 2, { hostnames: ["example.com"] })]);
    const after = simulateApply(observed, plan(d, observed));
    const alpha = after.hosts.find((h) => h.name === "alpha");
    expect(alpha?.containers.map((c) => `${c.name} ${c.state} ${c.specHash}`)).toEqual([
      "web-production-0-web-v2 running web-v2",
    ]);
    expect(alpha?.images).toEqual(["web:1", "old:1", "web:2"]);
    expect(after.routes?.routes).toEqual([
      {
        app: "web",
        env: "production",
        hostnames: ["example.com"],
        upstreams: [
          { host: "alpha", address: "alpha", port: 0, container: "web-production-0-web-v2", state: "active" },
        ],
      },
    ]);
    expect(after.hosts.find((h) => h.name === "delta")?.reachable).toBe(false);
  });

  it("skips apps that cannot be planned and leaves its input untouched", () => {
    const before = JSON.stringify(observed);
    const p = planOf([{ kind: "pull", host: "delta", image: "x" }]);
    const errored = { ...p, changes: p.changes.map((c) => ({ ...c, error: "no room" })) };
    expect(simulateApply(observed, errored).hosts.map((h) => h.containers.length)).toEqual([2, 0, 0]);
    simulateApply(observed, plan(desired(hosts, [bumped(web)]), observed));
    expect(JSON.stringify(observed)).toBe(before);
  });
});
