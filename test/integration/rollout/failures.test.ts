/**
 * When a rollout goes wrong (issue 4): a new container that does not become
 * healthy, on any host, stops the rollout; new containers go and every slot
 * already switched goes back to its old container. The outcome carries the
 * container's logs and health log, and the failed spec is not retried by
 * every periodic sync.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppOutcome, DeployOutcome } from "../../../src/model/index.js";
import { RedisFailedSpecs } from "../../../src/worker/sync/failed-specs.js";
import { appYaml, createRolloutBed, type RolloutBed } from "./rollout-fixtures.js";

let bed: RolloutBed;
let failedSpecs: RedisFailedSpecs;

function web(env: Record<string, string>, within = "10s"): string {
  const envText = Object.entries(env)
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");
  return appYaml("web", bed.image, {
    replicas: "3",
    hostnames: "[web.test]",
    env: `{ ${envText} }`,
    health: `{ path: /healthz, within: ${within}, stable: 300ms }`,
    rollout: "{ drain: 0s }",
  });
}

function appOf(outcome: DeployOutcome, app = "web"): AppOutcome {
  const found = outcome.apps.find((a) => a.app === app);
  if (!found) throw new Error(`no outcome for ${app}: ${JSON.stringify(outcome)}`);
  return found;
}

/** Ids and names of the running containers of web, and what the route sends traffic to. */
async function serving(): Promise<{ ids: string[]; routed: string[] }> {
  const ids = (await bed.running("web")).map((c) => c.id).sort();
  const route = (await bed.routes.load()).routes.find((r) => r.app === "web");
  const routed = (route?.upstreams ?? []).map((u) => `${u.container} ${u.state}`).sort();
  return { ids, routed };
}

beforeAll(async () => {
  bed = await createRolloutBed();
  failedSpecs = new RedisFailedSpecs(bed.redis, bed.prefix);
  bed.writeApp("web", web({ PAGE: "v1" }));
  const first = await bed.sync({}, { failedSpecs });
  expect(appOf(first).status).toBe("succeeded");
});

afterAll(async () => {
  await bed?.close();
});

describe("a rollout that fails on one host goes back on every host", () => {
  it("rolls back the switched alpha slot when the beta slot's health path answers 404", async () => {
    const before = await serving();
    const names = (await bed.running("web")).map((c) => `${c.name} active`).sort();
    expect(before.routed).toEqual(names);

    bed.writeApp("web", web({ PAGE: "v2", MODE: "nohealth-on-beta" }, "1500ms"));
    const done: string[] = [];
    const outcome = await bed.sync({}, { failedSpecs, onStep: (e) => e.phase === "done" && done.push(e.step) });
    const app = appOf(outcome);
    // Slot 0 (alpha) had switched: its new container routed in, its old one stopped.
    expect(done.filter((s) => /^(routeIn|stop) \S+-web-production-0-\S+ on alpha$/.test(s))).toHaveLength(2);

    expect(outcome.status).toBe("failed");
    expect(app).toMatchObject({ status: "rolledBack", failedStep: "waitHealthy" });
    expect(app.error?.code).toBe("DOCKHAND_E_HEALTH");
    expect(app.error?.message).toMatch(
      / on host beta did not become healthy: GET \/healthz did not pass within 1500 ms/,
    );
    expect(app.error?.logsTail).toContain("page v2 mode nohealth\n");
    expect(app.error?.healthLog).toMatch(/answered 404/);
    // ...and is back on its old container, like every other slot.
    expect(await serving()).toEqual(before);
    const all = await bed.containers("web");
    expect(all.map((c) => c.id).sort()).toEqual(before.ids);
  });

  it("does not retry the failed spec on a periodic sync at the same commit, but does on retry", async () => {
    const before = await serving();
    const poll = await bed.sync({ trigger: "poll" }, { failedSpecs });
    expect(poll.apps.find((a) => a.app === "web")).toBeUndefined();
    expect(await serving()).toEqual(before);

    const retried = await bed.sync({ trigger: "api", retry: true }, { failedSpecs });
    expect(appOf(retried).status).toBe("rolledBack");
    expect(await serving()).toEqual(before);
  });

  it("rolls back a container that exits at start, with its last log lines", async () => {
    const before = await serving();
    bed.writeApp("web", web({ PAGE: "v3", MODE: "exit" }));
    const app = appOf(await bed.sync({}, { failedSpecs }));
    expect(app.status).toBe("rolledBack");
    expect(app.error?.code).toBe("DOCKHAND_E_HEALTH");
    expect(app.error?.message).toMatch(/did not become healthy: it (exited|is restarting after exiting) with code 3/);
    expect(app.error?.logsTail).toContain("fatal: cannot start\n");
    expect(await serving()).toEqual(before);
  });

  it("rolls forward once a new spec is healthy, and forgets the failure", async () => {
    bed.writeApp("web", web({ PAGE: "v4" }));
    const app = appOf(await bed.sync({}, { failedSpecs }));
    expect(app.status).toBe("succeeded");
    expect(await failedSpecs.get("production", "web")).toBeUndefined();
    const running = await bed.running("web");
    expect(running).toHaveLength(3);
    expect(new Set(running.map((c) => c.host))).toEqual(new Set(["alpha", "beta"]));
  });
});
