import { describe, expect, it } from "vitest";
import type { EnvironmentSpec, SyncJob } from "../../../../src/model/index.js";
import { environmentGate } from "../../../../src/worker/sync/environment-gate.js";

const SHA = "a".repeat(40);
const STAGED: EnvironmentSpec[] = [
  { name: "staging" },
  { name: "production", promote: { from: "staging", afterMs: 600_000 } },
];

function gate(job: Partial<SyncJob>, environments?: EnvironmentSpec[], applied?: string) {
  return environmentGate({ trigger: "push", env: "production", sha: SHA, ...job }, { environments }, applied);
}

describe("which environment a sync may deploy to", () => {
  it("deploys production as before when the repo names no environments", () => {
    expect(gate({})).toEqual({ deploy: true, tracked: true });
  });

  it("deploys a push to an environment that follows the branch", () => {
    expect(gate({ env: "staging" }, STAGED)).toEqual({ deploy: true, tracked: true });
  });

  it.each(["push", "poll", "startup", "api", "cli", "source"] as const)(
    "sends a %s aimed at a promoted environment to the branch's environments instead",
    (trigger) => {
      expect(gate({ trigger }, STAGED)).toEqual({
        deploy: false,
        reason: "production deploys only commits staging proved; this commit goes to staging",
        branch: ["staging"],
      });
    },
  );

  it("deploys a promotion, which never counts as the tracked branch's config", () => {
    expect(gate({ trigger: "promote" }, STAGED)).toEqual({ deploy: true, tracked: false });
  });

  it("re-converges a promoted environment at the commit it already runs", () => {
    expect(gate({ trigger: "startup" }, STAGED, SHA)).toEqual({ deploy: true, tracked: false });
    expect(gate({ trigger: "startup" }, STAGED, "b".repeat(40)).deploy).toBe(false);
  });

  it("sends a sync of an environment the repo no longer names to the branch's", () => {
    expect(gate({ env: "qa" }, STAGED)).toMatchObject({
      deploy: false,
      reason: "dockhand.yaml has no environment qa; this commit goes to staging",
    });
  });
});
