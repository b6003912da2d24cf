/**
 * The status branch on a real git remote (a bare repo on disk): a file per
 * environment, a commit only when what runs changed, a retry when someone
 * else pushed first, and a push to it that the webhook ignores.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { StatusBranch, StatusBranchReporter } from "../../../src/git/index.js";
import type { DeployOutcome, FinishedSync, ObservedContainer, SyncReportContext } from "../../../src/model/index.js";
import { classifyEvent } from "../../../src/webhook/classify-event.js";
import { createDeployRepo } from "../../support/deploy-repo.js";
import { pushPayload } from "../../support/github-webhook.js";
import { app, container, desired, host, observe } from "../../unit/planner/fixtures.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function rig() {
  const repo = createDeployRepo();
  const cache = mkdtempSync(join(tmpdir(), "dockhand-status-"));
  roots.push(repo.root, cache);
  const branch = new StatusBranch({ url: repo.remote, cacheDir: cache });
  return { repo, branch, reporter: new StatusBranchReporter(branch) };
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
}

const web = app("web", { replicas: 2, hostnames: ["web.example.com"], image: "dockhand/web:abc" });
const hosts = [host("alpha"), host("beta")];

/** A sync that ended with `containers` running; `webStatus` is what it did to web. */
function finished(
  containers: ObservedContainer[],
  outcome: DeployOutcome["status"] = "succeeded",
  webStatus: "succeeded" | "noop" = outcome === "noop" ? "noop" : "succeeded",
): FinishedSync {
  const want = desired(hosts, [web]);
  return {
    outcome: {
      sha: SHA,
      status: outcome,
      apps: [{ app: "web", env: "production", status: webStatus, durationMs: 900 }],
    },
    planned: { plan: { source: want.source, changes: [], warnings: [] }, desired: want, markdown: "" },
    observed: observe(hosts, containers),
    finishedAt: 1_700_000_000_000,
  };
}

/** A preview environment's sync: web under `env`, one container. */
function previewFinished(env: string): FinishedSync {
  const preview = { ...web, env };
  const want = desired(hosts, [preview]);
  return {
    ...finished([container(preview, 0, "alpha")]),
    planned: { plan: { source: want.source, changes: [], warnings: [] }, desired: want, markdown: "" },
  };
}

/** The sync that tore an environment down: no app left in the desired state, nothing running. */
function teardownFinished(): FinishedSync {
  const ended = finished([]);
  const none = { ...ended.planned!, desired: { ...ended.planned!.desired, apps: [] } };
  return { ...ended, planned: none };
}

const ctx: SyncReportContext = { env: "production", sha: SHA, trigger: "push", startedAt: 0 };

describe("status branch", () => {
  it("commits <env>.json with what runs where, then nothing while nothing changes", async () => {
    const { repo, reporter } = rig();
    const running = [container(web, 0, "alpha", { commit: SHA }), container(web, 1, "beta", { commit: SHA })];
    expect(await reporter.record(ctx, finished(running))).toBe("committed");
    // Another app changed; web and where it runs did not.
    expect(await reporter.record(ctx, finished(running, "succeeded", "noop"))).toBe("unchanged");
    expect(await reporter.record(ctx, finished(running, "noop"))).toBeUndefined();
    const log = git(repo.remote, "log", "--format=%an %s", "dockhand-status");
    expect(log).toBe("dockhand production: succeeded at 0123456789ab");
    const file = JSON.parse(git(repo.remote, "show", "dockhand-status:production.json"));
    expect(file).toEqual({
      env: "production",
      commit: SHA,
      outcome: "succeeded",
      at: "2023-11-14T22:13:20.000Z",
      apps: {
        web: {
          commit: SHA,
          spec: "web-v1",
          image: "dockhand/web:abc",
          replicas: 2,
          hostnames: ["web.example.com"],
          outcome: "succeeded",
          at: "2023-11-14T22:13:20.000Z",
          slots: [
            { slot: 0, host: "alpha", container: running[0]?.name, state: "running", health: "healthy" },
            { slot: 1, host: "beta", container: running[1]?.name, state: "running", health: "healthy" },
          ],
        },
      },
    });
    // The tracked branch is untouched.
    expect(git(repo.remote, "ls-tree", "--name-only", "main")).not.toContain("production.json");
  });

  it("commits again when a slot changes, keeping other environments' files", async () => {
    const { repo, reporter } = rig();
    await reporter.record({ ...ctx, env: "pr-7" }, previewFinished("pr-7"));
    await reporter.record(ctx, finished([container(web, 0, "alpha")]));
    await reporter.record(
      ctx,
      finished([container(web, 0, "alpha"), container(web, 1, "beta", { health: "starting" })]),
    );
    expect(git(repo.remote, "rev-list", "--count", "dockhand-status")).toBe("3");
    expect(git(repo.remote, "ls-tree", "--name-only", "dockhand-status").split("\n")).toEqual([
      "pr-7.json",
      "production.json",
    ]);
  });

  it("removes the file of an environment whose apps are all gone (a preview torn down)", async () => {
    const { repo, reporter } = rig();
    await reporter.record({ ...ctx, env: "pr-8" }, previewFinished("pr-8"));
    await reporter.record(ctx, finished([container(web, 0, "alpha")]));
    const teardown = teardownFinished();
    expect(await reporter.record({ ...ctx, env: "pr-8" }, teardown)).toBe("committed");
    expect(git(repo.remote, "ls-tree", "--name-only", "dockhand-status")).toBe("production.json");
    expect(git(repo.remote, "log", "-1", "--format=%s", "dockhand-status")).toBe("pr-8: removed at 0123456789ab");
    // Nothing to remove a second time.
    expect(await reporter.record({ ...ctx, env: "pr-8" }, teardown)).toBe("unchanged");
  });

  it("removes the last file of the branch, leaving an empty tree", async () => {
    const { repo, reporter } = rig();
    await reporter.record({ ...ctx, env: "pr-9" }, previewFinished("pr-9"));
    const teardown = teardownFinished();
    expect(await reporter.record({ ...ctx, env: "pr-9" }, teardown)).toBe("committed");
    expect(git(repo.remote, "ls-tree", "--name-only", "dockhand-status")).toBe("");
  });

  it("redoes its commit on top when someone else pushed first", async () => {
    const { repo, branch } = rig();
    let calls = 0;
    const result = await branch.write(
      "dockhand-status",
      "production.json",
      () => {
        calls++;
        if (calls === 1) {
          // Another dockhand wins the race between our fetch and our push.
          git(repo.work, "checkout", "--quiet", "--orphan", "other");
          execFileSync("sh", ["-c", "git rm -rq --cached . && echo '{}' > pr-9.json && git add pr-9.json"], {
            cwd: repo.work,
          });
          git(repo.work, "-c", "user.name=other", "-c", "user.email=o@x", "commit", "--quiet", "-m", "other");
          git(repo.work, "push", "--quiet", "origin", "other:refs/heads/dockhand-status");
        }
        return `{"n":${calls}}\n`;
      },
      "mine",
    );
    expect(result).toBe("committed");
    expect(calls).toBe(2);
    expect(git(repo.remote, "log", "--format=%s", "dockhand-status").split("\n")).toEqual(["mine", "other"]);
    expect(git(repo.remote, "show", "dockhand-status:production.json")).toBe('{"n":2}');
  });

  it("is a branch whose pushes the webhook ignores", () => {
    const decision = classifyEvent("push", pushPayload("acme/deploy", "refs/heads/dockhand-status", SHA), {
      repository: "acme/deploy",
      branch: "main",
    });
    expect(decision).toEqual({
      action: "ignore",
      reason: "push to refs/heads/dockhand-status, not the tracked branch main",
    });
  });
});
