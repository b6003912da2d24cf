/** `dockhand rollback` of a recreate app, against a recording Docker port: the slot never runs two containers. */
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { RepoPort } from "../../../../src/model/index.js";
import { retiredName } from "../../../../src/model/index.js";
import { rollBackApp } from "../../../../src/worker/rollout/roll-back-app.js";
import { MemoryRouteStore } from "../../../support/memory-route-store.js";
import { type Faults, RecordingDocker } from "../../../support/recording-docker.js";
import { app, bumped, container, host } from "../../planner/fixtures.js";

const hosts = [host("alpha"), host("beta")];
const db = app("db", { port: 6379, hostPort: 6379, rollout: { batch: 1, drainMs: 0, strategy: "recreate" } });
const now = container(bumped(db), 0, "beta");
const kept = container(db, 0, "beta", {
  name: retiredName("db-production-0-db-v1", 1_000),
  retiredAt: 1_000,
  state: "exited",
});

async function rollBack(faults: Faults = {}) {
  const docker = new RecordingDocker(faults, [now, kept]);
  const ctx = {
    docker,
    repo: {} as RepoPort,
    routes: new MemoryRouteStore(),
    hosts: new Map(hosts.map((h) => [h.name, h])),
    instance: "default",
    sha: "c0ffee",
    log: pino({ level: "silent" }),
  };
  const { outcome } = await rollBackApp(bumped(db), [now, kept], ctx);
  return { docker, outcome };
}

describe("dockhand rollback of a recreate app", () => {
  it("stops the running container before the kept one starts again", async () => {
    const { docker, outcome } = await rollBack();
    expect(outcome.status).toBe("succeeded");
    expect(docker.calls.slice(0, 4)).toEqual([
      "stop db-production-0-db-v2",
      "rename db-production-0-db-v1.retired-1000 -> db-production-0-db-v1",
      "start db-production-0-db-v1",
      "waitHealthy db-production-0-db-v1",
    ]);
    expect(docker.overlaps).toEqual([]);
  });

  it("goes back to the running version when the kept one is unhealthy, one container at a time", async () => {
    const { docker, outcome } = await rollBack({ unhealthy: ["db-production-0-db-v1"] });
    expect(outcome.status).toBe("rolledBack");
    expect(docker.running()).toEqual(["beta/db-production-0-db-v2"]);
    expect(docker.overlaps).toEqual([]);
  });
});
