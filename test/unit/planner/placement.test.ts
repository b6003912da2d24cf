import { describe, expect, it } from "vitest";
import type { AppSpec, HostSpec, ObservedContainer } from "../../../src/model/index.js";
import { plan } from "../../../src/planner/index.js";
import { app, container, desired, host, observe, route, slotsOf } from "./fixtures.js";

const other = app("other", { replicas: 3 });

interface Case {
  name: string;
  hosts: HostSpec[];
  want: AppSpec;
  running?: ObservedContainer[];
  /** Other desired apps (those in `running` must be declared, or they are pruned). */
  others?: AppSpec[];
  envs?: string[];
  slots: string[];
}

const cases: Case[] = [
  {
    name: "new slots spread across hosts by name when all are empty",
    hosts: [host("beta"), host("alpha"), host("gamma")],
    want: app("web", { replicas: 4 }),
    slots: ["0 create alpha", "1 create beta", "2 create gamma", "3 create alpha"],
  },
  {
    name: "fewest containers of this app wins over fewest overall",
    hosts: [host("alpha"), host("beta")],
    want: app("web", { replicas: 2 }),
    running: [container(app("web"), 0, "beta"), ...[0, 1, 2].map((s) => container(other, s, "alpha"))],
    others: [other],
    slots: ["0 keep beta", "1 create alpha (scale up to 2 replicas)"],
  },
  {
    name: "with equal app counts, the host with fewest containers overall (all apps) wins",
    hosts: [host("alpha"), host("beta"), host("gamma")],
    want: app("web", { replicas: 1 }),
    running: [container(other, 0, "alpha"), container(other, 1, "beta"), container(other, 2, "alpha")],
    others: [other],
    slots: ["0 create gamma"],
  },
  {
    name: "containers of environments outside the plan count toward fewest overall",
    hosts: [host("alpha"), host("beta")],
    want: app("web", { replicas: 1 }),
    running: [container(app("x", { env: "pr-3" }), 0, "alpha")],
    envs: ["production"],
    slots: ["0 create beta"],
  },
  {
    name: "slots stay on their host while it is eligible, even when unbalanced",
    hosts: [host("alpha"), host("beta")],
    want: app("web", { replicas: 3 }),
    running: [0, 1, 2].map((s) => container(app("web"), s, "alpha")),
    slots: ["0 keep alpha", "1 keep alpha", "2 keep alpha"],
  },
  {
    name: "placement.hosts limits the candidates",
    hosts: [host("alpha"), host("beta"), host("gamma")],
    want: app("web", { replicas: 2, placement: { hosts: ["gamma", "beta"] } }),
    slots: ["0 create beta", "1 create gamma"],
  },
  {
    name: "placement.labels requires every label",
    hosts: [
      host("alpha", { labels: { zone: "a", disk: "ssd" } }),
      host("beta", { labels: { zone: "a" } }),
      host("gamma", { labels: { zone: "b", disk: "ssd" } }),
    ],
    want: app("web", { replicas: 2, placement: { labels: { zone: "a", disk: "ssd" } } }),
    slots: ["0 create alpha", "1 create alpha"],
  },
  {
    name: "a slot on a host no longer in placement.hosts moves",
    hosts: [host("alpha"), host("beta")],
    want: app("web", { replicas: 1, placement: { hosts: ["beta"] } }),
    running: [container(app("web"), 0, "alpha")],
    slots: ["0 replace alpha->beta (host alpha not in placement.hosts)"],
  },
  {
    name: "a slot on a host that lost a required label moves",
    hosts: [host("alpha", { labels: { zone: "b" } }), host("beta", { labels: { zone: "a" } })],
    want: app("web", { replicas: 1, placement: { labels: { zone: "a" } } }),
    running: [container(app("web"), 0, "alpha")],
    slots: ["0 replace alpha->beta (host alpha lacks label zone=a)"],
  },
  {
    name: "a full host gets no new container; the next eligible one does",
    hosts: [host("alpha", { capacity: 1 }), host("beta", { capacity: 5 })],
    want: app("web", { replicas: 1 }),
    running: [...[0, 1].map((s) => container(other, s, "beta")), container(other, 2, "alpha")],
    others: [other],
    slots: ["0 create beta"],
  },
  {
    name: "capacity counts a host's containers after the plan: a scaled-down app frees room",
    hosts: [host("alpha", { capacity: 2 })],
    want: app("web", { replicas: 1 }),
    running: [0, 1].map((s) => container(app("other"), s, "alpha")),
    others: [app("other", { replicas: 1 })],
    slots: ["0 create alpha"],
  },
  {
    name: "a replace in place needs no free capacity (old and new count once)",
    hosts: [host("alpha", { capacity: 1 })],
    want: app("web", { replicas: 1, specHash: "web-v2" }),
    running: [container(app("web"), 0, "alpha")],
    slots: ["0 replace alpha (spec changed)"],
  },
];

describe("placement", () => {
  for (const c of cases) {
    it(c.name, () => {
      const apps = [c.want, ...(c.others ?? [])];
      const options = c.envs ? { envs: c.envs } : {};
      const p = plan(desired(c.hosts, apps), observe(c.hosts, c.running ?? []), options);
      expect(slotsOf(p, "web")).toEqual(c.slots);
    });
  }

  it("is deterministic whatever order hosts, apps and containers come in", () => {
    const hosts = [host("alpha", { capacity: 4 }), host("beta", { capacity: 4 }), host("gamma", { capacity: 4 })];
    const apps = ["a", "b", "c", "d"].map((n) => app(n, { replicas: 2 }));
    const running = [container(apps[0] as AppSpec, 0, "beta"), container(apps[2] as AppSpec, 1, "gamma")];
    const first = plan(desired(hosts, apps), observe(hosts, running));
    const reversed = plan(
      desired([...hosts].reverse(), [...apps].reverse()),
      observe([...hosts].reverse(), [...running].reverse()),
    );
    expect(reversed).toEqual(first);
  });
});

describe("capacity errors", () => {
  it("an app that does not fit is an error with the numbers; other apps still plan", () => {
    const hosts = [host("alpha", { capacity: 2 }), host("beta", { capacity: 2 })];
    const small = app("api", { replicas: 1 });
    const big = app("web", { replicas: 3 });
    const running = [container(app("cron"), 0, "alpha"), container(app("cron"), 1, "alpha")];
    const p = plan(desired(hosts, [small, big, app("cron", { replicas: 2 })]), observe(hosts, running));
    const web = p.changes.find((c) => c.app === "web");
    expect(web?.error).toBe("not enough capacity: wanted 3 new containers, free per host: alpha 0, beta 1");
    expect(web?.steps).toEqual([]);
    expect(web?.slots).toEqual([]);
    expect(slotsOf(p, "api")).toEqual(["0 create beta"]);
    expect(p.changes.find((c) => c.app === "cron")?.kind).toBe("unchanged");
  });

  it("production gets capacity before previews", () => {
    const hosts = [host("alpha", { capacity: 1 })];
    const prod = app("web", { replicas: 1 });
    const preview = app("web", { replicas: 1, env: "pr-4" });
    const p = plan(desired(hosts, [preview, prod]), observe(hosts, []));
    expect(slotsOf(p, "web")).toEqual(["0 create alpha"]);
    expect(p.changes.find((c) => c.env === "pr-4")?.error).toBe(
      "not enough capacity: wanted 1 new container, free per host: alpha 0",
    );
  });

  it("no eligible host says why each host is out", () => {
    const hosts = [host("alpha", { labels: { zone: "a" } }), host("beta", { labels: { zone: "b" } }), host("delta")];
    const web = app("web", { placement: { labels: { zone: "c" } } });
    const p = plan(desired(hosts, [web]), observe(hosts, [], { unreachable: ["delta"] }));
    expect(p.changes[0]?.error).toBe(
      "no eligible host: host alpha lacks label zone=c, host beta lacks label zone=c, host delta unreachable",
    );
  });

  it("an app that places slots counts on the room it frees itself, not other apps", () => {
    // web scales down on alpha (slot 2 goes) and moves slot 1 off removed host gamma: it may use the room
    // slot 2 leaves. api may not: had web failed, slot 2 would have stayed.
    const hosts = [host("alpha", { capacity: 2 })];
    const web = app("web", { replicas: 2 });
    const running = [container(web, 0, "alpha"), container(web, 2, "alpha"), container(web, 1, "gamma")];
    const p = plan(desired(hosts, [web, app("api")]), observe(hosts, running, { extraHosts: ["gamma"] }));
    expect(slotsOf(p, "web")).toEqual([
      "0 keep alpha",
      "1 replace gamma->alpha (host gamma removed from dockhand.yaml)",
      "2 remove alpha (scale down to 2 replicas)",
    ]);
    expect(p.changes.find((c) => c.app === "api")?.error).toBe(
      "not enough capacity: wanted 1 new container, free per host: alpha 0",
    );
  });

  it("an app that cannot fail frees its room for everyone", () => {
    const hosts = [host("alpha", { capacity: 2 })];
    const web = app("web", { replicas: 1 });
    const running = [container(web, 0, "alpha"), container(web, 1, "alpha")];
    const p = plan(desired(hosts, [web, app("api")]), observe(hosts, running));
    expect(slotsOf(p, "api")).toEqual(["0 create alpha"]);
  });

  it("an app that takes another app's hostname is an error while that app keeps it", () => {
    const hosts = [host("alpha")];
    const web = app("web", { hostnames: ["www.example.com"] });
    const routes = [route(app("web", { env: "pr-2" }), ["www.example.com"])];
    const p = plan(desired(hosts, [web]), observe(hosts, [], { routes }), { envs: ["production"] });
    expect(p.changes[0]?.error).toBe("hostname www.example.com is served by web (pr-2), which keeps it in this plan");
  });

  it("an app may take a hostname another app gives up in the same plan", () => {
    const hosts = [host("alpha")];
    const api = app("api");
    const web = app("web", { hostnames: ["www.example.com"] });
    const routes = [route(api, ["www.example.com"])];
    const p = plan(desired(hosts, [api, web]), observe(hosts, [container(api, 0, "alpha")], { routes }));
    expect(p.changes.map((c) => [c.app, c.error, c.hostnames])).toEqual([
      ["api", undefined, { before: ["www.example.com"], after: [] }],
      ["web", undefined, { before: [], after: ["www.example.com"] }],
    ]);
  });

  it("warns about a host that already runs more than its capacity, and places nothing more there", () => {
    const hosts = [host("alpha", { capacity: 1 }), host("beta")];
    const web = app("web", { replicas: 2 });
    const p = plan(
      desired(hosts, [web, app("api")]),
      observe(hosts, [container(web, 0, "alpha"), container(web, 1, "alpha")]),
    );
    expect(slotsOf(p, "api")).toEqual(["0 create beta"]);
    expect(p.warnings).toEqual(["host alpha keeps 2 managed containers, over its capacity of 1"]);
  });
});
