import { describe, expect, it } from "vitest";
import type { ObservedContainer } from "../../../../src/model/index.js";
import { type ProofInput, proofOf } from "../../../../src/worker/promotion/promotion-proof.js";

const SHA = "a".repeat(40);
const DEPLOYED = 1_000_000;

function container(overrides: Partial<ObservedContainer> = {}): ObservedContainer {
  return {
    id: "c1",
    name: "web-staging-0",
    host: "alpha",
    app: "web",
    env: "staging",
    slot: 0,
    specHash: "h",
    commit: SHA,
    image: "web:1",
    state: "running",
    health: "healthy",
    createdAt: DEPLOYED - 5_000,
    ...overrides,
  };
}

function input(overrides: Partial<ProofInput> = {}): ProofInput {
  return {
    job: { from: "staging", sha: SHA, afterMs: 600_000 },
    applied: { sha: SHA, at: DEPLOYED },
    now: DEPLOYED + 600_000,
    failures: [],
    containers: [{ container: container(), starts: { startedAt: DEPLOYED - 4_000, restarts: 0 } }],
    unreachable: [],
    ...overrides,
  };
}

describe("whether staging proved a commit", () => {
  it("is proved once every container ran it healthy for `after`", () => {
    expect(proofOf(input())).toEqual({ verdict: "proved" });
  });

  it("waits for the rest of `after`, saying how far it got", () => {
    expect(proofOf(input({ now: DEPLOYED + 360_000 }))).toEqual({
      verdict: "wait",
      inMs: 240_000,
      progress: "waiting for staging: 6 min of 10 min healthy",
    });
  });

  it.each([
    ["staging moved on to another commit", { applied: { sha: "b".repeat(40), at: DEPLOYED } }, "superseded"],
    ["staging never finished it", { applied: undefined }, "superseded"],
    [
      "a rollout of the commit failed",
      {
        failures: [
          { app: "web", env: "staging", specHash: "h", commit: SHA, at: DEPLOYED + 1, message: "health check failed" },
        ],
      },
      "blocked",
    ],
    [
      "a container is unhealthy",
      { containers: [{ container: container({ health: "unhealthy" }), starts: { startedAt: 0, restarts: 0 } }] },
      "blocked",
    ],
    [
      "a container exited",
      { containers: [{ container: container({ state: "exited" }), starts: { startedAt: 0, restarts: 0 } }] },
      "blocked",
    ],
    [
      "the engine restarted a container",
      { containers: [{ container: container(), starts: { startedAt: DEPLOYED - 4_000, restarts: 1 } }] },
      "blocked",
    ],
    [
      "a container was started again after the deploy",
      { containers: [{ container: container(), starts: { startedAt: DEPLOYED + 10, restarts: 0 } }] },
      "blocked",
    ],
    ["a host cannot be seen", { unreachable: ["beta"] }, "wait"],
  ] as const)("is not proved when %s", (_why, overrides, verdict) => {
    expect(proofOf(input(overrides as Partial<ProofInput>)).verdict).toBe(verdict);
  });

  it("names what blocked it", () => {
    const restarted = input({
      containers: [{ container: container(), starts: { startedAt: DEPLOYED - 4_000, restarts: 2 } }],
    });
    expect(proofOf(restarted)).toEqual({
      verdict: "blocked",
      reason: "web slot 0 on alpha restarted in staging after the deploy",
    });
  });
});
