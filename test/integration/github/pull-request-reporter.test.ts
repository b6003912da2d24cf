/**
 * The PR reporter against the fake GitHub: one comment found by its marker
 * and edited in place (never one per push), the `dockhand/plan` check on the
 * head, and a Deployment per preview with its URL, retired when it goes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { COMMENT_MARKER, GitHubPullRequestReporter } from "../../../src/github/index.js";
import type { PullRequestReport } from "../../../src/model/index.js";
import {
  closeRig,
  type GitHubRig,
  plannedApps,
  pullRequest,
  quietLog,
  REPOSITORY,
  SHA,
  startRig,
} from "./github-fixtures.js";

let rig: GitHubRig | undefined;
afterEach(async () => {
  await closeRig(rig);
  rig = undefined;
});

const pr = pullRequest();

const live = (sha = SHA): PullRequestReport => ({
  pullRequest: { ...pr, headSha: sha },
  planned: plannedApps(1),
  preview: {
    env: "pr-42",
    state: "live",
    apps: [{ app: "web", url: "https://web-pr-42.preview.example.com", status: "succeeded" }],
    expiresAt: Date.parse("2030-01-01T00:00:00Z"),
  },
  at: 0,
});

function ours(r: GitHubRig) {
  return r.fake.resources.comments.filter((c) => c.body.startsWith(COMMENT_MARKER));
}

describe("the PR comment", () => {
  it("is written once, then edited in place; an unchanged report writes nothing", async () => {
    rig = await startRig("app");
    rig.fake.resources.addComment(REPOSITORY, 42, `> ${COMMENT_MARKER}\n> quoted by a reviewer`);
    const reporter = new GitHubPullRequestReporter({ client: rig.client, log: quietLog });
    await reporter.report(live());
    await reporter.report(live());
    const next = "1111111111111111111111111111111111111111";
    await reporter.report({ ...live(next), pullRequest: { ...pr, headSha: next, action: "synchronize" } });
    expect(ours(rig)).toHaveLength(1);
    expect(rig.fake.calls("issues/create-comment")).toHaveLength(1);
    expect(rig.fake.calls("issues/update-comment")).toHaveLength(1);
    const body = ours(rig)[0]?.body ?? "";
    expect(body).toContain("### dockhand · #42 at `1111111`");
    expect(body).toContain("#### What merging changes on production");
    expect(body).toContain("| web | https://web-pr-42.preview.example.com | deployed |");
    expect(body).toContain("Removed at 2030-01-01T00:00:00.000Z unless the pull request gets a push first.");
  });

  it("finds its comment among many (past the first page) after a restart", async () => {
    rig = await startRig("token");
    for (let i = 0; i < 130; i++) rig.fake.resources.addComment(REPOSITORY, 42, `comment ${i}`);
    await new GitHubPullRequestReporter({ client: rig.client, log: quietLog }).report(live());
    const restarted = new GitHubPullRequestReporter({ client: rig.client, log: quietLog });
    await restarted.report({ ...live(), preview: undefined });
    expect(ours(rig)).toHaveLength(1);
    expect(rig.fake.calls("issues/list-comments").map((r) => r.query.page)).toEqual(["1", "2", "1", "2"]);
    expect(ours(rig)[0]?.body).not.toContain("Preview");
  });

  it("lists the head's config errors with file and line, and fails the plan check", async () => {
    rig = await startRig("app");
    const issues = [
      { file: "apps/web.yaml", line: 4, column: 3, path: "replicas", message: "expected a whole number, got -1" },
    ];
    const report: PullRequestReport = {
      pullRequest: pr,
      error: { code: "DOCKHAND_E_CONFIG", message: "invalid deploy repo (1 problem)", issues },
      at: 0,
    };
    await new GitHubPullRequestReporter({ client: rig.client, log: quietLog }).report(report);
    expect(ours(rig)[0]?.body).toContain("#### The deploy repo at this head is invalid (1 problem)");
    expect(ours(rig)[0]?.body).toContain("- `apps/web.yaml:4:3 replicas: expected a whole number, got -1`");
    expect(rig.fake.resources.checkRuns[0]).toMatchObject({
      name: "dockhand/plan",
      conclusion: "failure",
      output: {
        title: "Invalid deploy repo (1 problem)",
        annotations: [expect.objectContaining({ path: "apps/web.yaml", start_line: 4 })],
      },
    });
  });
});

describe("preview deployments", () => {
  it("records a deployment with the preview URL, once, and marks it inactive when the preview goes", async () => {
    rig = await startRig("app");
    const reporter = new GitHubPullRequestReporter({ client: rig.client, log: quietLog });
    await reporter.report(live());
    await reporter.report(live());
    const [deployment] = rig.fake.resources.deployments;
    expect(rig.fake.resources.deployments).toHaveLength(1);
    expect(deployment).toMatchObject({
      environment: "pr-42",
      sha: SHA,
      transient_environment: true,
      production_environment: false,
    });
    expect(deployment?.statuses.map((s) => `${s.state} ${s.environment_url}`)).toEqual([
      "success https://web-pr-42.preview.example.com",
    ]);
    const closed: PullRequestReport = {
      pullRequest: { ...pr, action: "closed", merged: true },
      preview: { env: "pr-42", state: "removed", apps: [], reason: "the pull request was merged" },
      at: 0,
    };
    await reporter.report(closed);
    expect(deployment?.statuses.map((s) => s.state)).toEqual(["success", "inactive"]);
    expect(ours(rig)[0]?.body).toContain("This pull request was merged.");
    expect(ours(rig)[0]?.body).toContain("#### Preview `pr-42`: removed");
  });

  it("tells a fork why it has no preview, without a deployment", async () => {
    rig = await startRig("token");
    const report: PullRequestReport = {
      pullRequest: { ...pr, fork: true },
      planned: plannedApps(1),
      preview: {
        env: "pr-42",
        state: "refused",
        apps: [],
        reason: "Pull requests from forks get a preview only with previews.allowForks or the label dockhand:preview.",
      },
      at: 0,
    };
    await new GitHubPullRequestReporter({ client: rig.client, log: quietLog }).report(report);
    expect(ours(rig)[0]?.body).toContain("#### Preview `pr-42`: :no_entry: not started");
    expect(rig.fake.resources.deployments).toHaveLength(0);
    expect(rig.fake.resources.statuses.map((s) => `${s.context} ${s.state}`)).toEqual(["dockhand/plan success"]);
  });
});
