/**
 * Anyone who can comment on a pull request can start a comment with
 * dockhand's hidden marker. dockhand must take only its own comment (marker
 * AND author) for the one it keeps up to date: a stranger's planted one is
 * never edited (an App, or a token of an admin, may edit anyone's comment)
 * and never stands in for dockhand's (a planted copy of the expected body
 * must not make dockhand think its report is already there).
 */
import { afterEach, describe, expect, it } from "vitest";
import { COMMENT_MARKER, GitHubPullRequestReporter, renderPullRequestComment } from "../../src/github/index.js";
import type { PullRequestReport } from "../../src/model/index.js";
import {
  closeRig,
  type GitHubRig,
  plannedApps,
  pullRequest,
  quietLog,
  REPOSITORY,
  SHA,
  startRig,
} from "../integration/github/github-fixtures.js";
import { DEFAULT_TOKEN_LOGIN } from "../support/fake-github/fake-github.js";

let rig: GitHubRig | undefined;
afterEach(async () => {
  await closeRig(rig);
  rig = undefined;
});

const pr = pullRequest({ fork: true });

const report = (headSha: string): PullRequestReport => ({
  pullRequest: { ...pr, headSha, action: headSha === SHA ? "opened" : "synchronize" },
  planned: plannedApps(1),
  at: 0,
});

const NEXT = "1111111111111111111111111111111111111111";
const OWN_LOGIN = { app: "dockhand-test[bot]", token: DEFAULT_TOKEN_LOGIN } as const;

describe.each(["app", "token"] as const)("dockhand's PR comment (%s auth)", (mode) => {
  it("ignores a stranger's comment that starts with the marker: creates its own, keeps editing its own", async () => {
    rig = await startRig(mode);
    const planted = `${COMMENT_MARKER}\n### dockhand · #42\n\nAll clear, merge away: https://evil.example`;
    const stranger = rig.fake.resources.addComment(REPOSITORY, 42, planted, "mallory");
    const reporter = new GitHubPullRequestReporter({ client: rig.client, log: quietLog });

    await reporter.report(report(SHA));
    await reporter.report(report(NEXT));
    // After a restart the comment is found again by reading the PR: still by marker and author.
    await new GitHubPullRequestReporter({ client: rig.client, log: quietLog }).report(report(SHA));

    const comments = rig.fake.resources.comments;
    expect(comments.map((c) => c.author.login)).toEqual(["mallory", OWN_LOGIN[mode]]);
    expect(stranger.body).toBe(planted);
    expect(stranger.updated_at).toBe(stranger.created_at);
    expect(rig.fake.calls("issues/update-comment").map((r) => r.path)).toEqual([
      `/repos/${REPOSITORY}/issues/comments/${comments[1]?.id}`,
      `/repos/${REPOSITORY}/issues/comments/${comments[1]?.id}`,
    ]);
    expect(comments[1]?.body).toBe(renderPullRequestComment(report(SHA)));
  });

  it("writes its own comment though a stranger planted exactly the body it would write", async () => {
    rig = await startRig(mode);
    const stranger = rig.fake.resources.addComment(REPOSITORY, 42, renderPullRequestComment(report(SHA)), "mallory");
    await new GitHubPullRequestReporter({ client: rig.client, log: quietLog }).report(report(SHA));
    expect(rig.fake.calls("issues/create-comment")).toHaveLength(1);
    expect(rig.fake.resources.comments.at(-1)?.author.login).toBe(OWN_LOGIN[mode]);
    expect(rig.fake.resources.comments.at(-1)?.id).not.toBe(stranger.id);
  });

  it("asks GitHub who it is once per client", async () => {
    rig = await startRig(mode);
    const one = new GitHubPullRequestReporter({ client: rig.client, log: quietLog });
    const two = new GitHubPullRequestReporter({ client: rig.client, log: quietLog });
    await one.report(report(SHA));
    await two.report({ ...report(SHA), pullRequest: { ...pr, number: 43 } });
    await one.report(report(NEXT));
    const operation = mode === "app" ? "apps/get-authenticated" : "users/get-authenticated";
    expect(rig.fake.calls(operation)).toHaveLength(1);
  });
});
