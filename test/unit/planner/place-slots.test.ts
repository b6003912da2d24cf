import { describe, expect, it } from "vitest";
import { plan } from "../../../src/planner/index.js";
import { app, changeOf, container, desired, host, observe, slotsOf } from "./fixtures.js";

const hosts = [host("alpha"), host("beta")];
const recreate = { batch: 1, drainMs: 1000, strategy: "recreate" as const };

describe("placing an app on a fixed host port", () => {
  it("puts one replica on each host", () => {
    const db = app("db", { replicas: 2, hostPort: 7000, rollout: recreate });
    expect(slotsOf(plan(desired(hosts, [db]), observe(hosts, [])), "db")).toEqual(["0 create alpha", "1 create beta"]);
  });

  it("says so, with the numbers, when there are more replicas than hosts", () => {
    const db = app("db", { replicas: 3, hostPort: 7000, rollout: recreate });
    expect(changeOf(plan(desired(hosts, [db]), observe(hosts, [])), "db").error).toBe(
      "hostPort 7000 allows one replica per host: wanted 3 replicas, 2 eligible hosts (alpha, beta)",
    );
  });

  it("moves a slot that shares a host with another (hostPort added to an app that had both there)", () => {
    const before = app("db", { replicas: 2 });
    const db = app("db", { replicas: 2, hostPort: 7000, rollout: recreate, specHash: "db-v2" });
    const running = [container(before, 0, "alpha"), container(before, 1, "alpha")];
    expect(slotsOf(plan(desired(hosts, [db]), observe(hosts, running)), "db")).toEqual([
      "0 replace alpha (spec changed)",
      "1 replace alpha->beta (spec changed, hostPort 7000 allows one replica per host)",
    ]);
  });
});
