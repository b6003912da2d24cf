/**
 * The executor against a recording Docker port and an in-memory route table:
 * the undo paths of recreate, and the order of apps that reference others.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { AppSpec, DeployOutcome, ObservedContainer, RepoPort } from "../../../../src/model/index.js";
import { plan } from "../../../../src/planner/index.js";
import { executePlan } from "../../../../src/worker/rollout/execute-plan.js";
import { MemoryRouteStore } from "../../../support/memory-route-store.js";
import { type Faults, RecordingDocker } from "../../../support/recording-docker.js";
import { app, bumped, container, desired, host, observe, route } from "../../planner/fixtures.js";

const hosts = [host("alpha"), host("beta")];
const recreate = { batch: 1, drainMs: 0, strategy: "recreate" as const };
const db = app("db", { port: 6379, hostPort: 6379, rollout: recreate, placement: { hosts: ["beta"] } });
const noRepo = {} as RepoPort;

interface Run {
  docker: RecordingDocker;
  routes: MemoryRouteStore;
  outcome: DeployOutcome;
}

async function roll(specs: AppSpec[], running: ObservedContainer[], faults: Faults = {}): Promise<Run> {
  const routed = [...new Set(running.map((c) => c.app))].map((name) =>
    route(
      { name, env: "production" } as AppSpec,
      [],
      running.filter((c) => c.app === name && c.hostPort !== undefined),
    ),
  );
  const observed = observe(hosts, running, { routes: routed });
  const docker = new RecordingDocker(faults, running);
  const routes = new MemoryRouteStore(routed);
  const outcome = await executePlan(plan(desired(hosts, specs), observed), observed, {
    docker,
    repo: noRepo,
    routes,
    hosts: new Map(hosts.map((h) => [h.name, h])),
    instance: "default",
    sha: "c0ffee",
    log: pino({ level: "silent" }),
  });
  return { docker, routes, outcome };
}

/** The calls after the image steps, which every case shares. */
const containerCalls = (docker: RecordingDocker) => docker.calls.filter((c) => !c.startsWith("pull "));

describe("recreate", () => {
  const v2 = bumped(db);
  const old = container(db, 0, "beta");

  it("stops the old container, then starts the new one, and keeps the old one stopped for rollback", async () => {
    const { docker, outcome } = await roll([v2], [old]);
    expect(outcome.status).toBe("succeeded");
    expect(containerCalls(docker)).toEqual([
      "stop db-production-0-db-v1",
      "run db-production-0-db-v2 on beta",
      "waitHealthy db-production-0-db-v2",
      expect.stringMatching(/^rename db-production-0-db-v1 -> db-production-0-db-v1\.retired-\d+$/),
    ]);
    expect(docker.overlaps).toEqual([]);
  });

  it("health fails on the new container → it is removed, then the old one starts again on its volume", async () => {
    const { docker, routes, outcome } = await roll([v2], [old], { unhealthy: ["db-production-0-db-v2"] });
    expect(outcome.apps[0]).toMatchObject({ status: "rolledBack", failedStep: "waitHealthy" });
    expect(containerCalls(docker)).toEqual([
      "stop db-production-0-db-v1",
      "run db-production-0-db-v2 on beta",
      "waitHealthy db-production-0-db-v2",
      "remove db-production-0-db-v2",
      "start db-production-0-db-v1",
    ]);
    expect(docker.running()).toEqual(["beta/db-production-0-db-v1"]);
    expect(routes.writes.at(-1)).toBe("production/db: db-production-0-db-v1:active");
    expect(docker.overlaps).toEqual([]);
  });

  it("the new container cannot start (its port taken) → the old one starts again", async () => {
    const { docker, outcome } = await roll([v2], [old], { refuse: ["run db-production-0-db-v2"] });
    expect(outcome.apps[0]).toMatchObject({ status: "rolledBack", failedStep: "start" });
    expect(containerCalls(docker).slice(-2)).toEqual([
      "run db-production-0-db-v2 on beta",
      "start db-production-0-db-v1",
    ]);
    expect(docker.running()).toEqual(["beta/db-production-0-db-v1"]);
  });

  it("the new container cannot be removed → the old one stays stopped: never two on one volume", async () => {
    const faults = { unhealthy: ["db-production-0-db-v2"], refuse: ["remove db-production-0-db-v2"] };
    const { docker, outcome } = await roll([v2], [old], faults);
    expect(outcome.apps[0]).toMatchObject({ status: "failed", failedStep: "waitHealthy" });
    expect(docker.calls).not.toContain("start db-production-0-db-v1");
    expect(docker.running()).toEqual(["beta/db-production-0-db-v2"]);
    expect(docker.overlaps).toEqual([]);
  });

  it("stopping the old container fails → it is started again (no new container ran)", async () => {
    const { docker, outcome } = await roll([v2], [old], { refuse: ["stop db-production-0-db-v1"] });
    expect(outcome.apps[0]).toMatchObject({ status: "rolledBack", failedStep: "stop" });
    expect(docker.calls).not.toContain("run db-production-0-db-v2 on beta");
    expect(docker.running()).toEqual(["beta/db-production-0-db-v1"]);
  });

  it("slot 1 fails after slot 0 rolled → both slots go back, each old one started after its new one went", async () => {
    const two = app("db", { port: 6379, replicas: 2, rollout: recreate });
    const olds = [container(two, 0, "alpha"), container(two, 1, "beta")];
    const { docker, outcome } = await roll([bumped(two)], olds, { unhealthy: ["db-production-1-db-v2"] });
    expect(outcome.apps[0]?.status).toBe("rolledBack");
    const calls = containerCalls(docker);
    for (const slot of [0, 1]) {
      const removed = calls.indexOf(`remove db-production-${slot}-db-v2`);
      expect(removed).toBeGreaterThan(0);
      expect(calls.indexOf(`start db-production-${slot}-db-v1`)).toBeGreaterThan(removed);
    }
    expect(docker.running()).toEqual(["alpha/db-production-0-db-v1", "beta/db-production-1-db-v1"]);
    expect(docker.overlaps).toEqual([]);
  });
});

describe("a worker", () => {
  const worker = app("job", { port: undefined });

  it("is started and checked, never routed", async () => {
    const { docker, routes, outcome } = await roll([worker], []);
    expect(outcome.status).toBe("succeeded");
    expect(containerCalls(docker)).toEqual([
      "run job-production-0-job-v1 on alpha",
      "waitHealthy job-production-0-job-v1",
    ]);
    expect(routes.writes.every((w) => w.endsWith("(none)"))).toBe(true);
  });

  it("health fails → the new one goes, the old one starts again, still unrouted", async () => {
    const old = container(worker, 0, "alpha", { hostPort: undefined });
    const { docker, routes, outcome } = await roll([bumped(worker)], [old], { unhealthy: ["job-production-0-job-v2"] });
    expect(outcome.apps[0]?.status).toBe("rolledBack");
    expect(docker.running()).toEqual(["alpha/job-production-0-job-v1"]);
    expect(routes.writes.every((w) => w.endsWith("(none)"))).toBe(true);
  });
});

describe("apps that reference others", () => {
  const web = app("web", { envRefs: { KV_HOST: [{ app: "db", field: "host" }] } });

  it("roll after what they reference is up and healthy", async () => {
    const { docker, outcome } = await roll([db, web], []);
    expect(outcome.status).toBe("succeeded");
    const calls = containerCalls(docker);
    const webStarts = calls.findIndex((c) => c.startsWith("run web-production-0-"));
    expect(webStarts).toBeGreaterThan(calls.indexOf("waitHealthy db-production-0-db-v1"));
  });

  it("are not rolled when what they reference fails", async () => {
    const { docker, outcome } = await roll([db, web], [], { unhealthy: ["db-production-0-db-v1"] });
    expect(outcome.apps.map((a) => `${a.app} ${a.status}`)).toEqual(["db rolledBack", "web failed"]);
    expect(outcome.apps[1]?.error?.message).toBe(
      "not rolled: app db, which its env references, was rolled back in this sync; what runs stays",
    );
    expect(docker.calls.some((c) => c.startsWith("run web"))).toBe(false);
  });
});
