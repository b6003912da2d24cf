/**
 * The reports of a sync arrive in order and never fail it; several reporters
 * all hear every report.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { DeployReporter, SyncReportContext } from "../../../../src/model/index.js";
import { fanOutReporters, SyncReports } from "../../../../src/worker/sync/report-sync.js";
import { SOURCE } from "../../planner/fixtures.js";

const log = pino({ level: "silent" });

function recorder(calls: string[], name: string, delayMs = 0, failOn?: string): DeployReporter {
  const step = (what: string) => async (ctx: SyncReportContext) => {
    await new Promise((r) => setTimeout(r, delayMs));
    if (what === failOn) throw new Error(`${name} cannot ${what}`);
    calls.push(`${name} ${what} ${ctx.env}`);
  };
  return { started: step("started"), planned: step("planned"), finished: step("finished") };
}

describe("SyncReports", () => {
  it("reports started, planned and finished in order, and finish waits for all", async () => {
    const calls: string[] = [];
    const reports = new SyncReports(recorder(calls, "a", 5), { trigger: "push", env: "production" }, SOURCE.sha, log);
    reports.plan(
      { source: SOURCE, changes: [], warnings: [] },
      { source: SOURCE, hosts: [], proxy: { driver: "builtin", listen: ":1" }, apps: [] },
    );
    expect(calls).toEqual([]);
    const outcome = { sha: SOURCE.sha, status: "noop" as const, apps: [] };
    expect(await reports.finish(outcome)).toBe(outcome);
    expect(calls).toEqual(["a started production", "a planned production", "a finished production"]);
  });

  it("logs a failing reporter and goes on", async () => {
    const calls: string[] = [];
    const reporter = fanOutReporters([recorder(calls, "a", 0, "started"), recorder(calls, "b")]);
    const reports = new SyncReports(reporter, { trigger: "poll", env: "pr-1", installationId: 3 }, SOURCE.sha, log);
    await reports.failed(new Error("engine gone"));
    expect(calls).toEqual(["b started pr-1", "a finished pr-1", "b finished pr-1"]);
  });

  it("is nothing without reporters", async () => {
    expect(fanOutReporters([undefined, undefined])).toBeUndefined();
    const reports = new SyncReports(undefined, { trigger: "cli", env: "production" }, "worktree", log);
    expect(await reports.finish({ sha: "worktree", status: "noop", apps: [] })).toMatchObject({ status: "noop" });
  });
});
