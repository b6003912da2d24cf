import { describe, expect, it } from "vitest";
import type { AppSpec } from "../../../src/model/index.js";
import { plan } from "../../../src/planner/index.js";
import { app, bumped, changeOf, container, desired, host, observe, route, stepsOf } from "./fixtures.js";

const hosts = [host("alpha"), host("beta")];
const recreate = { batch: 1, drainMs: 1000, strategy: "recreate" as const };

function planned(spec: AppSpec, running = [container(spec, 0, "alpha")], next = bumped(spec)) {
  return plan(desired(hosts, [next]), observe(hosts, running, { routes: [route(spec)] }));
}

describe("a worker (no port)", () => {
  const worker = app("job", { port: undefined, health: { timeoutMs: 2000, withinMs: 30_000, stableMs: 2000 } });

  it("starts and passes its health gate, and is never routed in", () => {
    const p = plan(desired(hosts, [worker]), observe(hosts, []));
    expect(stepsOf(p, "job")).toEqual([
      "pull job:1 on alpha",
      "start job-production-0-job-v1@alpha",
      "waitHealthy job-production-0-job-v1@alpha",
    ]);
  });

  it("stops its old container without routing it out or draining it", () => {
    const old = container(worker, 0, "alpha", { hostPort: undefined });
    expect(stepsOf(planned(worker, [old]), "job")).toEqual([
      "pull job:2 on alpha",
      "start job-production-0-job-v2@alpha",
      "waitHealthy job-production-0-job-v2@alpha",
      "stop job-production-0-job-v1@alpha",
      "remove job-production-0-job-v1@alpha",
    ]);
  });

  it("keeps a running container that the route table does not list: a worker never is", () => {
    const running = container(worker, 0, "alpha", { hostPort: undefined });
    const p = plan(desired(hosts, [worker]), observe(hosts, [running], { routes: [route(worker, [], [])] }));
    expect(changeOf(p, "job").kind).toBe("unchanged");
  });
});

describe("rollout.strategy recreate", () => {
  const db = app("db", { port: 6379, hostPort: 6379, rollout: recreate });

  it("stops the old container before it starts the new one; nothing routes an app without hostnames", () => {
    expect(stepsOf(planned(db), "db")).toEqual([
      "pull db:2 on alpha",
      "stop db-production-0-db-v1@alpha",
      "start db-production-0-db-v2@alpha",
      "waitHealthy db-production-0-db-v2@alpha",
      "routeIn db-production-0-db-v2@alpha",
      "remove db-production-0-db-v1@alpha",
    ]);
  });

  it("routes out and drains the old container first when the app has hostnames", () => {
    const web = app("web", { hostnames: ["www.example.com"], rollout: recreate });
    expect(stepsOf(planned(web), "web")).toEqual([
      "pull web:2 on alpha",
      "routeOut web-production-0-web-v1@alpha",
      "drain web-production-0-web-v1@alpha 1000ms",
      "stop web-production-0-web-v1@alpha",
      "start web-production-0-web-v2@alpha",
      "waitHealthy web-production-0-web-v2@alpha",
      "routeIn web-production-0-web-v2@alpha",
      "remove web-production-0-web-v1@alpha",
    ]);
  });

  it("rolls slot by slot: each slot is down only between its own stop and start", () => {
    const two = app("db", { port: 6379, replicas: 2, rollout: recreate });
    const running = [container(two, 0, "alpha"), container(two, 1, "beta")];
    expect(stepsOf(planned(two, running), "db")).toEqual([
      "pull db:2 on alpha",
      "pull db:2 on beta",
      "stop db-production-0-db-v1@alpha",
      "start db-production-0-db-v2@alpha",
      "waitHealthy db-production-0-db-v2@alpha",
      "routeIn db-production-0-db-v2@alpha",
      "stop db-production-1-db-v1@beta",
      "start db-production-1-db-v2@beta",
      "waitHealthy db-production-1-db-v2@beta",
      "routeIn db-production-1-db-v2@beta",
      "remove db-production-0-db-v1@alpha",
      "remove db-production-1-db-v1@beta",
    ]);
  });

  it("stops every container claiming the slot before the start (an interrupted rollout's too)", () => {
    const stray = container(db, 0, "alpha", { specHash: "db-v9", name: "db-production-0-db-v9", createdAt: 1 });
    const running = [container(db, 0, "alpha"), stray];
    expect(stepsOf(planned(db, running), "db")).toEqual([
      "pull db:2 on alpha",
      "stop db-production-0-db-v9@alpha",
      "stop db-production-0-db-v1@alpha",
      "start db-production-0-db-v2@alpha",
      "waitHealthy db-production-0-db-v2@alpha",
      "routeIn db-production-0-db-v2@alpha",
      "remove db-production-0-db-v9@alpha",
      "remove db-production-0-db-v1@alpha",
    ]);
  });
});
