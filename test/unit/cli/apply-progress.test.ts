import { afterEach, describe, expect, it, vi } from "vitest";
import type { DeployOutcome } from "../../../src/model/index.js";
import { createProgress, type ProgressMode, summary } from "../../../src/runtime/apply-progress.js";
import type { StepEvent } from "../../../src/worker/rollout/rollout-context.js";

const OUTCOME: DeployOutcome = {
  sha: "a".repeat(40),
  status: "succeeded",
  apps: [
    { app: "web", env: "production", status: "succeeded", durationMs: 4_200 },
    { app: "api", env: "production", status: "noop", durationMs: 3 },
  ],
};

const start: StepEvent = { app: "web", env: "production", step: "start web-0 on alpha", phase: "start" };
const done: StepEvent = { ...start, phase: "done", durationMs: 450 };

function run(mode: ProgressMode, color = false): string {
  let text = "";
  const progress = createProgress(mode, { write: (t: string) => (text += t) }, color);
  progress.step(start);
  vi.advanceTimersByTime(250);
  progress.step(done);
  progress.done(OUTCOME, 9_400);
  return text;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("apply progress", () => {
  it("plain (CI): one line per finished step, then the summary; no control characters", () => {
    vi.useFakeTimers();
    expect(run("plain")).toBe(
      "  ✓ web/production  start web-0 on alpha  (450 ms)\n" +
        `Deploy succeeded at ${"a".repeat(12)} in 9.4 s: web succeeded (4.2 s).\n`,
    );
  });

  it("on a terminal: a live line of the running steps, erased before each finished line", () => {
    vi.useFakeTimers();
    const text = run("tty");
    expect(text).toContain("  … web start web-0 on alpha 200 ms");
    expect(text).toContain("\r\x1b[2K  ✓ web/production  start web-0 on alpha  (450 ms)\n");
    expect(text.endsWith(`in 9.4 s: web succeeded (4.2 s).\n`)).toBe(true);
  });

  it("colours only when asked", () => {
    vi.useFakeTimers();
    expect(run("plain", true)).toContain("\x1b[32m✓\x1b[0m");
  });

  it("--json: one JSON event per line, the outcome last", () => {
    vi.useFakeTimers();
    const lines = run("json")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.event, l.phase])).toEqual([
      ["step", "start"],
      ["step", "done"],
      ["outcome", undefined],
    ]);
    expect(lines[2]).toMatchObject({ status: "succeeded", durationMs: 9_400, sha: "a".repeat(40) });
  });

  it.each([
    [{ ...OUTCOME, apps: [] }, `Deploy succeeded at ${"a".repeat(12)} in 1.0 s: nothing to change.`],
    [{ ...OUTCOME, sha: "worktree" }, "Deploy succeeded at worktree in 1.0 s: web succeeded (4.2 s)."],
  ])("summary %#", (outcome, expected) => {
    expect(summary(outcome, 1_000)).toBe(expected);
  });
});
