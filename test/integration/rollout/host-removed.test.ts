/**
 * A host removed from dockhand.yaml (issue 3's case, end to end): its slots
 * move to the hosts that remain, then its containers go. The worker still
 * observes it because it remembers the hosts of the last applied config.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisKnownHosts } from "../../../src/worker/sync/known-hosts.js";
import { testbed } from "../../support/testbed.js";
import { appYaml, createRolloutBed, type RolloutBed } from "./rollout-fixtures.js";

let bed: RolloutBed;
let knownHosts: RedisKnownHosts;

beforeAll(async () => {
  bed = await createRolloutBed();
  knownHosts = new RedisKnownHosts(bed.redis, bed.prefix);
  bed.writeApp("web", appYaml("web", bed.image, { replicas: "2", health: "{ path: /healthz, stable: 0s }" }));
});

afterAll(async () => {
  await bed?.close();
});

describe("removing a host from dockhand.yaml", () => {
  it("moves its slots to the remaining host before its containers go, then forgets it", async () => {
    expect((await bed.sync({}, { knownHosts })).status).toBe("succeeded");
    expect((await bed.running("web")).map((c) => c.host).sort()).toEqual(["alpha", "beta"]);
    expect((await knownHosts.load()).map((h) => h.name)).toEqual(["alpha", "beta"]);

    writeFileSync(
      join(bed.dir, "dockhand.yaml"),
      `hosts:\n  alpha: { docker: "${testbed().alpha}", address: 127.0.0.1 }\n`,
    );
    const outcome = await bed.sync({}, { knownHosts });
    expect(outcome.status).toBe("succeeded");
    const web = await bed.containers("web");
    expect(web.filter((c) => c.state === "running").map((c) => c.host)).toEqual(["alpha", "alpha"]);
    expect(web.filter((c) => c.host === "beta" && c.retiredAt === undefined)).toEqual([]);
    const route = (await bed.routes.load()).routes.find((r) => r.app === "web");
    expect(route?.upstreams.map((u) => u.host)).toEqual(["alpha", "alpha"]);
    expect((await knownHosts.load()).map((h) => h.name)).toEqual(["alpha"]);
  });
});
