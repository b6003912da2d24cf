/**
 * The deploy reporter against the fake GitHub: a check run per environment
 * goes queued ─▶ in_progress ─▶ completed on the synced commit, says what
 * failed and why, stays under GitHub's size limit with a thousand apps, and
 * writes nothing when nothing changed. With a token only, commit statuses.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GitHubDeployReporter } from "../../../src/github/index.js";
import type { DeployOutcome, SyncReportContext } from "../../../src/model/index.js";
import { closeRig, type GitHubRig, plannedApps, quietLog, REPOSITORY, SHA, startRig } from "./github-fixtures.js";

let rig: GitHubRig | undefined;
afterEach(async () => {
  await closeRig(rig);
  rig = undefined;
});

const ctx: SyncReportContext = { env: "production", sha: SHA, trigger: "push", startedAt: 0, installationId: 77 };

function reporter(r: GitHubRig): GitHubDeployReporter {
  return new GitHubDeployReporter({ client: r.client, repository: REPOSITORY, log: quietLog });
}

function writes(r: GitHubRig): string[] {
  return r.fake.requests
    .filter((q) => q.method !== "GET" && q.credential !== "jwt")
    .map((q) => `${q.method} ${q.operationId}`);
}

const succeeded = (apps: string[]): DeployOutcome => ({
  sha: SHA,
  status: "succeeded",
  apps: apps.map((app) => ({ app, env: "production", status: "succeeded", durationMs: 12_345 })),
});

describe("check runs (GitHub App)", () => {
  it("goes queued ─▶ in_progress with the plan ─▶ success with a per-app table", async () => {
    rig = await startRig("app");
    const planned = plannedApps(2);
    const report = reporter(rig);
    await report.started(ctx);
    expect(rig.fake.resources.checkRuns[0]).toMatchObject({ name: "dockhand/production", status: "queued" });
    await report.planned(ctx, planned);
    expect(rig.fake.resources.checkRuns[0]).toMatchObject({
      status: "in_progress",
      output: { title: "Rolling 2 apps" },
    });
    await report.finished(ctx, { outcome: succeeded(["app0000", "app0001"]), planned, finishedAt: 0 });
    const run = rig.fake.resources.checkRuns[0];
    expect(rig.fake.resources.checkRuns).toHaveLength(1);
    expect(run).toMatchObject({ status: "completed", conclusion: "success", output: { title: "Deployed 2 apps" } });
    expect(run?.output.summary).toContain(
      "| app0000 | create | :white_check_mark: deployed | 2 | alpha, beta | `app0000:1` | 12.3 s | [app0000.example.com](https://app0000.example.com) |",
    );
    expect(run?.output.text).toBe(planned.markdown);
    expect(writes(rig)).toEqual(["POST checks/create", "PATCH checks/update", "PATCH checks/update"]);
  });

  it("reports a failure with the failing step, its error and the log tail", async () => {
    rig = await startRig("app");
    const planned = plannedApps(1);
    const outcome: DeployOutcome = {
      sha: SHA,
      status: "failed",
      apps: [
        {
          app: "app0000",
          env: "production",
          status: "rolledBack",
          durationMs: 31_000,
          failedStep: "waitHealthy",
          error: {
            code: "DOCKHAND_E_HEALTH",
            message: "not healthy within 30s",
            logsTail: "booting\npanic: no DATABASE_URL",
          },
        },
      ],
    };
    await reporter(rig).finished(ctx, { outcome, planned, finishedAt: 0 });
    const run = rig.fake.resources.checkRuns[0];
    expect(run).toMatchObject({ conclusion: "failure", output: { title: "app0000 failed" } });
    expect(run?.output.summary).toContain("#### app0000: :leftwards_arrow_with_hook: rolled back at `waitHealthy`");
    expect(run?.output.summary).toContain("> DOCKHAND\\_E\\_HEALTH: not healthy within 30s");
    expect(run?.output.summary).toContain("```text\nbooting\npanic: no DATABASE_URL\n```");
  });

  it("annotates config errors on their file and line", async () => {
    rig = await startRig("app");
    const issues = [
      {
        file: "apps/web.yaml",
        line: 7,
        column: 11,
        path: "health.timeout",
        message: 'expected a duration like "2s", got "two"',
      },
      { file: "dockhand.yaml", line: 3, column: 5, path: "hosts.alpha", message: "unknown key capacty" },
    ];
    const outcome: DeployOutcome = {
      sha: SHA,
      status: "failed",
      apps: [],
      error: { code: "DOCKHAND_E_CONFIG", message: "invalid", issues },
    };
    await reporter(rig).finished(ctx, { outcome, finishedAt: 0 });
    const run = rig.fake.resources.checkRuns[0];
    expect(run).toMatchObject({ conclusion: "failure", output: { title: "Invalid deploy repo (2 problems)" } });
    expect(run?.output.summary).toContain(
      '- `apps/web.yaml:7:11 health.timeout: expected a duration like "2s", got "two"`',
    );
    expect(run?.output.annotations).toEqual([
      expect.objectContaining({
        path: "apps/web.yaml",
        start_line: 7,
        end_line: 7,
        annotation_level: "failure",
        title: "health.timeout",
      }),
      expect.objectContaining({ path: "dockhand.yaml", start_line: 3, message: "unknown key capacty" }),
    ]);
  });

  it("keeps the summary under 65,535 characters with 1,500 apps, counting the rest", async () => {
    rig = await startRig("app");
    const planned = plannedApps(1500);
    const outcome = succeeded(planned.plan.changes.map((c) => c.app));
    await reporter(rig).finished(ctx, { outcome, planned, finishedAt: 0 });
    const run = rig.fake.resources.checkRuns[0];
    expect(run?.output.summary?.length).toBeLessThanOrEqual(65_535);
    expect(run?.output.summary).toMatch(/…and \d+ more apps, not shown here/);
    expect(run?.output.text?.length).toBeLessThanOrEqual(65_535);
  });

  it("writes nothing again for the same state, and leaves a finished commit alone on a no-op re-sync", async () => {
    rig = await startRig("app");
    const planned = plannedApps(1);
    const report = reporter(rig);
    await report.started(ctx);
    await report.planned(ctx, planned);
    await report.planned(ctx, planned);
    await report.finished(ctx, { outcome: succeeded(["app0000"]), planned, finishedAt: 0 });
    const before = writes(rig).length;
    // The periodic sync of the same commit: nothing to do.
    const unchanged = {
      ...planned,
      plan: {
        ...planned.plan,
        changes: planned.plan.changes.map((c) => ({ ...c, kind: "unchanged" as const, steps: [] })),
      },
    };
    const fresh = reporter(rig); // a restarted worker: no memory, one read
    await fresh.started(ctx);
    await fresh.planned(ctx, unchanged);
    await fresh.finished(ctx, { outcome: { sha: SHA, status: "noop", apps: [] }, planned: unchanged, finishedAt: 0 });
    expect(writes(rig).length).toBe(before);
    expect(rig.fake.resources.checkRuns[0]).toMatchObject({ conclusion: "success" });
  });

  it("names preview environments dockhand/preview and skips a working directory", async () => {
    rig = await startRig("app");
    await reporter(rig).started({ ...ctx, env: "pr-42" });
    await reporter(rig).started({ ...ctx, sha: "worktree" });
    expect(rig.fake.resources.checkRuns.map((r) => r.name)).toEqual(["dockhand/preview"]);
  });
});

describe("commit statuses (token only)", () => {
  it("sets pending, then success, with the title as description, and skips repeats", async () => {
    rig = await startRig("token");
    const planned = plannedApps(2);
    const report = reporter(rig);
    await report.started(ctx);
    await report.planned(ctx, planned);
    await report.finished(ctx, { outcome: succeeded(["app0000", "app0001"]), planned, finishedAt: 0 });
    await report.finished(ctx, { outcome: succeeded(["app0000", "app0001"]), planned, finishedAt: 0 });
    expect(rig.fake.resources.statuses.map((s) => `${s.context} ${s.state} ${s.description}`)).toEqual([
      "dockhand/production pending Planning",
      "dockhand/production pending Rolling 2 apps",
      "dockhand/production success Deployed 2 apps",
    ]);
    expect(rig.fake.calls("checks/create")).toHaveLength(0);
  });

  it("fails the status of a failed sync", async () => {
    rig = await startRig("token");
    const outcome: DeployOutcome = {
      sha: SHA,
      status: "failed",
      apps: [],
      error: { code: "DOCKHAND_E_PLAN", message: "hostname claimed twice" },
    };
    await reporter(rig).finished(ctx, { outcome, finishedAt: 0 });
    expect(rig.fake.resources.statuses.map((s) => `${s.state} ${s.description}`)).toEqual(["failure Sync failed"]);
  });
});
