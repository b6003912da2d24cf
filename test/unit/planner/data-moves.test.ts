import { describe, expect, it } from "vitest";
import type { AppSpec } from "../../../src/model/index.js";
import { plan } from "../../../src/planner/index.js";
import { app, changeOf, container, desired, host, observe, route, slotsOf, stepsOf } from "./fixtures.js";

const hosts = [host("alpha"), host("beta")];
const volumes: AppSpec["volumes"] = [{ kind: "volume", name: "data", target: "/data", shared: false, readOnly: false }];
const db = app("db", {
  port: 6379,
  hostPort: 6379,
  volumes,
  placement: { hosts: ["beta"] },
  rollout: { batch: 1, drainMs: 1000, strategy: "recreate" },
});
const onBeta = [container(db, 0, "beta")];
const toAlpha = (over: Partial<AppSpec["placement"]> = {}) => ({ ...db, placement: { hosts: ["alpha"], ...over } });

describe("a slot with a per-slot volume that changes host", () => {
  it("is an error on the app: its data would stay behind", () => {
    const p = plan(desired(hosts, [toAlpha()]), observe(hosts, onBeta, { routes: [route(db)] }));
    expect(changeOf(p, "db").error).toBe(
      'moving slot 0 beta → alpha would lose data: its volume "data" does not move with it: the new container starts on an empty one. Copy the data over first, then allow it with placement.allowDataMove: true or dockhand apply --allow-data-move',
    );
    expect(changeOf(p, "db").steps).toEqual([]);
  });

  it("is planned with a warning when placement.allowDataMove says so", () => {
    const p = plan(desired(hosts, [toAlpha({ allowDataMove: true })]), observe(hosts, onBeta, { routes: [route(db)] }));
    expect(p.warnings).toEqual([
      'app db (production) moves slot 0 beta → alpha: its volume "data" does not move with it: the new container starts on an empty one (allowed)',
    ]);
    expect(slotsOf(p, "db")).toEqual(["0 replace beta->alpha (host beta not in placement.hosts)"]);
    expect(stepsOf(p, "db")).toEqual([
      "pull db:1 on alpha",
      "stop db-production-0-db-v1@beta",
      "start db-production-0-db-v1@alpha",
      "waitHealthy db-production-0-db-v1@alpha",
      "routeIn db-production-0-db-v1@alpha",
      "remove db-production-0-db-v1@beta",
    ]);
  });

  it("is planned with a warning when the plan is made with allowDataMove (dockhand apply --allow-data-move)", () => {
    const p = plan(desired(hosts, [toAlpha()]), observe(hosts, onBeta, { routes: [route(db)] }), {
      allowDataMove: true,
    });
    expect(changeOf(p, "db").error).toBeUndefined();
    expect(p.warnings).toHaveLength(1);
  });

  it("is an error when its host is unreachable too: starting elsewhere would run a second, empty database", () => {
    const anywhere = { ...db, placement: {} };
    const p = plan(desired(hosts, [anywhere]), observe(hosts, onBeta, { unreachable: ["beta"], routes: [route(db)] }));
    expect(changeOf(p, "db").error).toMatch(/^moving slot 0 beta → alpha would lose data/);
  });

  it("is no concern for an app without per-slot volumes", () => {
    const cache = { ...toAlpha(), volumes: [{ ...volumes[0], shared: true }] as AppSpec["volumes"] };
    const p = plan(desired(hosts, [cache]), observe(hosts, onBeta, { routes: [route(db)] }));
    expect(changeOf(p, "db").error).toBeUndefined();
    expect(p.warnings).toEqual([]);
  });
});
