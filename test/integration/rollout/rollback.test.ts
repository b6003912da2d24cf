/**
 * `dockhand rollback <app>` (issue 4): rollouts keep the last `rollout.retain`
 * versions stopped (renamed, so they serve no slot); rollback brings the
 * newest back with the usual health gate and draining, keeps what it
 * replaces, and holds periodic sync for the app until a commit changes it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRetiredName } from "../../../src/model/index.js";
import { RedisSyncHolds } from "../../../src/worker/queue/sync-holds.js";
import { runCli } from "../../support/dockhand-process.js";
import { testbed } from "../../support/testbed.js";
import { appYaml, createRolloutBed, type RolloutBed } from "./rollout-fixtures.js";

let bed: RolloutBed;
let holds: RedisSyncHolds;

function web(page: string): string {
  return appYaml("web", bed.image, {
    replicas: "2",
    hostnames: "[web.rollback.test]",
    env: `{ PAGE: ${page} }`,
    health: "{ path: /healthz, within: 20s, stable: 200ms }",
    rollout: "{ drain: 0s, retain: 2 }",
  });
}

/** The page each running web container serves (PAGE is env, not a label: ask the container). */
async function pages(): Promise<{ serving: string[] }> {
  const running = (await bed.containers("web")).filter((c) => c.retiredAt === undefined && c.state === "running");
  const address = (host: string) => (host === "alpha" ? "127.0.0.1" : "127.0.0.2");
  const page = async (c: (typeof running)[number]) =>
    (await (await fetch(`http://${address(c.host)}:${c.hostPort}/`)).text()).trim();
  return { serving: (await Promise.all(running.map(page))).sort() };
}

beforeAll(async () => {
  bed = await createRolloutBed();
  holds = new RedisSyncHolds(bed.redis, bed.prefix);
  for (const page of ["v1", "v2", "v3", "v4"]) {
    bed.writeApp("web", web(page));
    const outcome = await bed.sync({}, { holds });
    expect(outcome.status).toBe("succeeded");
  }
});

afterAll(async () => {
  await bed?.close();
});

describe("kept versions", () => {
  it("keeps the last rollout.retain versions stopped, under retired names, and serves none of them", async () => {
    const all = await bed.containers("web");
    const kept = all.filter((c) => c.retiredAt !== undefined);
    // retain: 2 of the three earlier versions (v2, v3), both replicas of each.
    expect(kept).toHaveLength(4);
    expect(new Set(kept.map((c) => c.specHash)).size).toBe(2);
    for (const c of kept) {
      expect(c.state).toBe("exited");
      expect(parseRetiredName(c.name)?.at).toBe(c.retiredAt);
    }
    const route = (await bed.routes.load()).routes.find((r) => r.app === "web");
    expect(route?.upstreams.map((u) => u.container).sort()).toEqual(
      all
        .filter((c) => c.retiredAt === undefined)
        .map((c) => c.name)
        .sort(),
    );
    // A sync finds nothing to do: kept containers are not slots.
    const again = await bed.sync({}, { holds });
    expect(again.status).toBe("noop");
  });
});

describe("dockhand rollback", () => {
  it("puts web back on its previous version and records a hold", async () => {
    const before = await bed.running("web");
    const result = await runCli(["rollback", "web", "--repo", bed.dir], {
      REDIS_URL: testbed().redisUrl,
      DOCKHAND_INSTANCE: bed.instance,
      DOCKHAND_STATE_DIR: `${bed.dir}/.state`,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^web \(production\) rolled back in \d+\.\d s to version [0-9a-f]{8} \(deployed from commit worktree, kept since \S+\): 2 containers on alpha, beta\.$/m,
    );
    expect(result.stdout).toMatch(/^Hold: periodic sync leaves web alone until a commit changes it/m);

    const { serving } = await pages();
    expect(serving).toEqual(["v3", "v3"]);
    const after = await bed.running("web");
    // The v4 containers are kept in turn; the route names the v3 ones, by their own names again.
    const kept = (await bed.containers("web")).filter((c) => c.retiredAt !== undefined).map((c) => c.id);
    expect(kept).toEqual(expect.arrayContaining(before.map((c) => c.id)));
    const route = (await bed.routes.load()).routes.find((r) => r.app === "web");
    expect(route?.upstreams.map((u) => `${u.container} ${u.state}`).sort()).toEqual(
      after.map((c) => `${c.name} active`).sort(),
    );
    expect(await holds.get("production", "web")).toMatchObject({ app: "web", commit: "worktree" });
  });

  it("is left alone by periodic syncs while held, and rolls again once a commit changes the app", async () => {
    const held = await bed.sync({ trigger: "poll" }, { holds });
    expect(held.apps.find((a) => a.app === "web")).toBeUndefined();
    expect((await pages()).serving).toEqual(["v3", "v3"]);

    bed.writeApp("web", web("v5"));
    const released = await bed.sync({ trigger: "poll" }, { holds });
    expect(released.apps.find((a) => a.app === "web")?.status).toBe("succeeded");
    expect((await pages()).serving).toEqual(["v5", "v5"]);
    expect(await holds.get("production", "web")).toBeUndefined();
  });

  it("says so when no earlier version is kept", async () => {
    bed.writeApp("solo", appYaml("solo", bed.image, { rollout: "{ retain: 0, drain: 0s }" }));
    expect((await bed.sync()).status).toBe("succeeded");
    const result = await runCli(["rollback", "solo", "--repo", bed.dir], {
      REDIS_URL: testbed().redisUrl,
      DOCKHAND_INSTANCE: bed.instance,
      DOCKHAND_STATE_DIR: `${bed.dir}/.state`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "error: no earlier version of solo (production) is kept on the hosts to go back to: rollouts keep the last rollout.retain versions, stopped; see dockhand observe\n",
    );
  });
});
