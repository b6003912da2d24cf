import { describe, expect, it } from "vitest";
import { plan } from "../../../src/planner/index.js";
import { app, bumped, changeOf, container, desired, host, observe, route, slotsOf } from "./fixtures.js";

const hosts = [host("alpha"), host("beta")];
const prod = app("web", { replicas: 2, hostnames: ["www.example.com"] });
const pr4 = app("web", { env: "pr-4", replicas: 1, hostnames: ["web-pr-4.preview.example.com"] });
const pr10 = app("web", { env: "pr-10", replicas: 1, hostnames: ["web-pr-10.preview.example.com"] });
const running = [
  container(prod, 0, "alpha"),
  container(prod, 1, "beta"),
  container(pr4, 0, "alpha"),
  container(pr10, 0, "beta"),
];

describe("environments", () => {
  it("production and previews plan independently, production first, previews by number", () => {
    const p = plan(desired(hosts, [pr10, bumped(pr4), prod]), observe(hosts, running));
    expect(p.changes.map((c) => `${c.env} ${c.kind}`)).toEqual([
      "production unchanged",
      "pr-4 update",
      "pr-10 unchanged",
    ]);
    expect(slotsOf(p, "web", "pr-4")).toEqual(["0 replace alpha (image web:1 → web:2)"]);
  });

  it("the same app name in two environments gets two names and never shares a container", () => {
    const p = plan(desired(hosts, [prod, app("web", { env: "pr-7" })]), observe(hosts, []));
    expect(changeOf(p, "web", "pr-7").slots[0]?.container).toBe("web-pr-7-0-web-v1");
    expect(changeOf(p, "web").slots[0]?.container).toBe("web-production-0-web-v1");
  });

  it("a preview that is no longer desired (PR closed) is pruned as an unknown environment", () => {
    const p = plan(desired(hosts, [prod, pr10]), observe(hosts, running));
    const closed = changeOf(p, "web", "pr-4");
    expect(closed.kind).toBe("delete");
    expect(closed.reasons).toEqual(["environment pr-4 not in the deploy repo"]);
  });

  it("a plan limited to some environments leaves the others alone", () => {
    const p = plan(desired(hosts, [bumped(pr4)]), observe(hosts, running), { envs: ["pr-4"] });
    expect(p.changes.map((c) => `${c.app} ${c.env} ${c.kind}`)).toEqual(["web pr-4 update"]);
  });

  it("a plan limited to one environment ignores desired apps of others", () => {
    const p = plan(desired(hosts, [prod, bumped(pr4)]), observe(hosts, running), { envs: ["production"] });
    expect(p.changes.map((c) => `${c.env} ${c.kind}`)).toEqual(["production unchanged"]);
  });

  it("hostnames are per environment", () => {
    const routes = [route(prod), route(pr4, ["old-pr-4.preview.example.com"])];
    const p = plan(desired(hosts, [prod, pr4]), observe(hosts, running.slice(0, 3), { routes }), {
      envs: ["production", "pr-4"],
    });
    expect(changeOf(p, "web").kind).toBe("unchanged");
    expect(changeOf(p, "web", "pr-4").hostnames).toEqual({
      before: ["old-pr-4.preview.example.com"],
      after: ["web-pr-4.preview.example.com"],
    });
  });

  it("an unknown app in a known environment is pruned with its reason", () => {
    const stray = container(app("stray"), 0, "beta");
    const p = plan(desired(hosts, [prod]), observe(hosts, [...running.slice(0, 2), stray]));
    expect(changeOf(p, "stray").reasons).toEqual(["app not in the deploy repo"]);
  });

  it("an app declared twice in one environment is refused", () => {
    const twice = desired(hosts, [prod, { ...prod, file: "apps/web2.yaml" }]);
    expect(() => plan(twice, observe(hosts, []))).toThrow(
      "app web is declared twice in environment production (apps/web.yaml and apps/web2.yaml); app names must be unique",
    );
  });
});
