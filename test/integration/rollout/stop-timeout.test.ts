/**
 * An old container is stopped with its own stopTimeout, not the new spec's:
 * the old version ignores SIGTERM and asked for 1 s, the new one asks for
 * 10 minutes. Stopped with the new spec's grace, the rollout would wait the
 * 10 minutes and this test would time out.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appYaml, createRolloutBed, type RolloutBed } from "./rollout-fixtures.js";

let bed: RolloutBed;

function slowToStop(extra: Record<string, string>): string {
  return appYaml("stubborn", bed.image, {
    // PID 1 ignores TERM (an ignored signal stays ignored in the scripts it runs), so only the kill stops it.
    command: `[sh, -c, "trap '' TERM; /entrypoint.sh; true"]`,
    health: "{ path: /healthz, stable: 0s }",
    rollout: "{ drain: 0s }",
    placement: "{ hosts: [alpha] }",
    ...extra,
  });
}

beforeAll(async () => {
  bed = await createRolloutBed();
});

afterAll(async () => {
  await bed?.close();
});

describe("stopping the old version", () => {
  it("uses the old container's stopTimeout", { timeout: 90_000 }, async () => {
    bed.writeApp("stubborn", slowToStop({ stopTimeout: "1s", env: "{ PAGE: one }" }));
    expect((await bed.sync()).status).toBe("succeeded");
    const [old] = await bed.running("stubborn");
    bed.writeApp("stubborn", slowToStop({ stopTimeout: "10m", env: "{ PAGE: two }" }));
    expect((await bed.sync()).status).toBe("succeeded");
    const containers = await bed.containers("stubborn");
    expect(containers.find((c) => c.id === old?.id)?.state).toBe("exited");
    expect(containers.filter((c) => c.state === "running").map((c) => c.id)).not.toContain(old?.id);
  });
});
