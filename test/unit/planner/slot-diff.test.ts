import { describe, expect, it } from "vitest";
import type { AppSpec, ObservedContainer } from "../../../src/model/index.js";
import { plan } from "../../../src/planner/index.js";
import { app, bumped, container, desired, host, observe, slotsOf } from "./fixtures.js";

const hosts = [host("alpha"), host("beta")];
const web = app("web", { replicas: 2 });

interface Case {
  name: string;
  want: AppSpec;
  running: ObservedContainer[];
  kind: string;
  slots: string[];
}

const cases: Case[] = [
  {
    name: "nothing changed: every slot kept",
    want: web,
    running: [container(web, 0, "alpha"), container(web, 1, "beta")],
    kind: "unchanged",
    slots: ["0 keep alpha", "1 keep beta"],
  },
  {
    name: "new app: every slot created, no per-slot reason",
    want: web,
    running: [],
    kind: "create",
    slots: ["0 create alpha", "1 create beta"],
  },
  {
    name: "image changed: replaced in place, the reason names both images",
    want: bumped(web),
    running: [container(web, 0, "alpha"), container(web, 1, "beta")],
    kind: "update",
    slots: ["0 replace alpha (image web:1 → web:2)", "1 replace beta (image web:1 → web:2)"],
  },
  {
    name: "spec changed with the same image (env, port, resources...): `spec changed`",
    want: { ...web, specHash: "web-v1-env" },
    running: [container(web, 0, "alpha"), container(web, 1, "beta")],
    kind: "update",
    slots: ["0 replace alpha (spec changed)", "1 replace beta (spec changed)"],
  },
  {
    name: "same image spelled with docker.io/library and without :latest is not an image change",
    want: { ...app("web", { replicas: 1, image: "docker.io/library/nginx" }), specHash: "web-v2" },
    running: [container(app("web", { image: "nginx:latest" }), 0, "alpha")],
    kind: "update",
    slots: ["0 replace alpha (spec changed)"],
  },
  {
    name: "self-heal: an exited container is replaced on its host",
    want: web,
    running: [container(web, 0, "alpha", { state: "exited" }), container(web, 1, "beta")],
    kind: "update",
    slots: ["0 replace alpha (container exited)", "1 keep beta"],
  },
  {
    name: "self-heal: an unhealthy container is replaced",
    want: web,
    running: [container(web, 0, "alpha"), container(web, 1, "beta", { health: "unhealthy" })],
    kind: "update",
    slots: ["0 keep alpha", "1 replace beta (container unhealthy)"],
  },
  {
    name: "a container still starting is kept",
    want: web,
    running: [container(web, 0, "alpha", { health: "starting" }), container(web, 1, "beta")],
    kind: "unchanged",
    slots: ["0 keep alpha", "1 keep beta"],
  },
  {
    name: "dead, created, restarting and paused containers are replaced, each with its state",
    want: app("web", { replicas: 4 }),
    running: [
      container(web, 0, "alpha", { state: "dead" }),
      container(web, 1, "beta", { state: "created" }),
      container(web, 2, "alpha", { state: "restarting" }),
      container(web, 3, "beta", { state: "paused" }),
    ],
    kind: "update",
    slots: [
      "0 replace alpha (container dead)",
      "1 replace beta (container never started)",
      "2 replace alpha (container restarting)",
      "3 replace beta (container paused)",
    ],
  },
  {
    name: "a port published on every interface (made before ports bound to one address) is replaced on its host",
    want: web,
    running: [
      container(web, 0, "alpha", { publishedOn: ["0.0.0.0", "::"] }),
      container(web, 1, "beta", { publishedOn: ["10.0.0.4"] }),
    ],
    kind: "update",
    slots: ["0 replace alpha (published on 0.0.0.0, ::, should be 10.0.0.5)", "1 keep beta"],
  },
  {
    name: "a port published on the host's old bindAddress is replaced; an unpublished (stopped) one is judged by its state",
    want: web,
    running: [
      container(web, 0, "alpha", { publishedOn: ["10.0.0.9"] }),
      container(web, 1, "beta", { state: "exited" }),
    ],
    kind: "update",
    slots: ["0 replace alpha (published on 10.0.0.9, should be 10.0.0.5)", "1 replace beta (container exited)"],
  },
  {
    name: "self-heal: a container removed by hand is created again",
    want: web,
    running: [container(web, 1, "beta")],
    kind: "update",
    slots: ["0 create alpha (container missing)", "1 keep beta"],
  },
  {
    name: "spec change and exited together: both reasons",
    want: bumped(web),
    running: [container(web, 0, "alpha", { state: "exited" }), container(web, 1, "beta")],
    kind: "update",
    slots: ["0 replace alpha (image web:1 → web:2, container exited)", "1 replace beta (image web:1 → web:2)"],
  },
  {
    name: "scale up: new slots are spread, existing ones kept",
    want: app("web", { replicas: 4 }),
    running: [container(web, 0, "alpha"), container(web, 1, "beta")],
    kind: "update",
    slots: [
      "0 keep alpha",
      "1 keep beta",
      "2 create alpha (scale up to 4 replicas)",
      "3 create beta (scale up to 4 replicas)",
    ],
  },
  {
    name: "scale down: the highest slots are removed",
    want: app("web", { replicas: 1 }),
    running: [container(web, 0, "alpha"), container(web, 1, "beta"), container(web, 2, "alpha")],
    kind: "update",
    slots: ["0 keep alpha", "1 remove beta (scale down to 1 replica)", "2 remove alpha (scale down to 1 replica)"],
  },
  {
    name: "scale to zero: every container removed, the app stays declared",
    want: app("web", { replicas: 0 }),
    running: [container(web, 0, "alpha"), container(web, 1, "beta")],
    kind: "update",
    slots: ["0 remove alpha (scale down to 0 replicas)", "1 remove beta (scale down to 0 replicas)"],
  },
  {
    name: "two containers claim one slot (interrupted rollout): the matching healthy one stays, the other goes",
    want: bumped(web, 2, { replicas: 1 }),
    running: [container(web, 0, "alpha", { state: "exited" }), container(bumped(web), 0, "beta")],
    kind: "update",
    slots: ["0 keep beta", "0 remove alpha (duplicate of slot 0)"],
  },
  {
    name: "a container with an invalid slot label is removed",
    want: app("web", { replicas: 1 }),
    running: [container(web, 0, "alpha"), container(web, -1, "beta", { name: "web-production-x" })],
    kind: "update",
    slots: ["0 keep alpha", "-1 remove beta (invalid slot label)"],
  },
];

describe("slot diff", () => {
  for (const c of cases) {
    it(c.name, () => {
      const p = plan(desired(hosts, [c.want]), observe(hosts, c.running));
      expect(slotsOf(p, "web")).toEqual(c.slots);
      expect(p.changes.find((x) => x.app === "web")?.kind).toBe(c.kind);
    });
  }

  it("an IPv6 bind address matches however the engine spells it", () => {
    const v6 = [host("alpha", { bind: "fd00::12" })];
    const running = [container(app("web"), 0, "alpha", { publishedOn: ["fd00:0:0:0:0:0:0:12"] })];
    const p = plan(desired(v6, [app("web")]), observe(v6, running));
    expect(slotsOf(p, "web")).toEqual(["0 keep alpha"]);
  });

  it("an app whose file is removed is deleted: all its containers go, with the reason", () => {
    const old = app("old", { replicas: 2 });
    const running = [container(web, 0, "alpha"), container(old, 0, "alpha"), container(old, 1, "beta")];
    const p = plan(desired(hosts, [app("web", { replicas: 1 })]), observe(hosts, running));
    const change = p.changes.find((c) => c.app === "old");
    expect(change?.kind).toBe("delete");
    expect(change?.reasons).toEqual(["app not in the deploy repo"]);
    expect(change?.spec).toBeUndefined();
    expect(slotsOf(p, "old")).toEqual([
      "0 remove alpha (app not in the deploy repo)",
      "1 remove beta (app not in the deploy repo)",
    ]);
  });

  it("a change to one app never touches another", () => {
    const api = app("api", { replicas: 2 });
    const running = [...[0, 1].map((s) => container(web, s, "alpha")), ...[0, 1].map((s) => container(api, s, "beta"))];
    const p = plan(desired(hosts, [bumped(web), api]), observe(hosts, running));
    expect(p.changes.map((c) => [c.app, c.kind])).toEqual([
      ["api", "unchanged"],
      ["web", "update"],
    ]);
    expect(p.changes.find((c) => c.app === "api")?.steps).toEqual([]);
  });

  it("an app built from an unchanged context (same image tag, same spec hash) is neither rebuilt nor restarted", () => {
    const svc = app("svc", {
      image: "dockhand/svc:tree1",
      build: { context: "services/svc", dockerfile: "Dockerfile", contextHash: "tree1" },
    });
    const p = plan(desired(hosts, [svc]), observe(hosts, [container(svc, 0, "alpha")]));
    expect(p.changes[0]?.kind).toBe("unchanged");
    expect(p.changes[0]?.steps).toEqual([]);
  });

  it("app-level reasons gather the distinct slot reasons", () => {
    const running = [container(web, 0, "alpha", { state: "exited" }), container(web, 1, "beta")];
    const p = plan(desired(hosts, [bumped(web)]), observe(hosts, running));
    expect(p.changes[0]?.reasons).toEqual(["image web:1 → web:2", "container exited"]);
  });
});
