/**
 * The preview label approves one head of a fork's pull request; when the
 * worker decides a new head needs approving again it sets `removeLabel`, and
 * the reporter must take the label off the pull request on GitHub. A label
 * already gone is no failure.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GitHubPullRequestReporter } from "../../src/github/index.js";
import type { PullRequestReport } from "../../src/model/index.js";
import {
  closeRig,
  type GitHubRig,
  plannedApps,
  pullRequest,
  quietLog,
  REPOSITORY,
  startRig,
} from "../integration/github/github-fixtures.js";

let rig: GitHubRig | undefined;
afterEach(async () => {
  await closeRig(rig);
  rig = undefined;
});

const pr = pullRequest({ action: "synchronize", fork: true, labels: ["dockhand:preview"] });

const report = (removeLabel?: string): PullRequestReport => ({
  pullRequest: pr,
  planned: plannedApps(1),
  ...(removeLabel === undefined ? {} : { removeLabel }),
  at: 0,
});

describe.each(["app", "token"] as const)("removeLabel (%s auth)", (mode) => {
  it("takes the label off the pull request and leaves the others", async () => {
    rig = await startRig(mode);
    for (const label of ["bug", "dockhand:preview", "needs review/ops"]) {
      rig.fake.resources.addLabel(REPOSITORY, 42, label);
    }
    const reporter = new GitHubPullRequestReporter({ client: rig.client, log: quietLog });
    await reporter.report(report("dockhand:preview"));
    await reporter.report(report("needs review/ops"));
    expect(rig.fake.resources.labelsOf(REPOSITORY, 42)).toEqual(["bug"]);
    expect(rig.fake.calls("issues/remove-label").map((r) => `${r.path} ${r.status}`)).toEqual([
      `/repos/${REPOSITORY}/issues/42/labels/dockhand%3Apreview 200`,
      `/repos/${REPOSITORY}/issues/42/labels/needs%20review%2Fops 200`,
    ]);
  });

  it("is content when the label is already gone, and still writes the comment", async () => {
    rig = await startRig(mode);
    await new GitHubPullRequestReporter({ client: rig.client, log: quietLog }).report(report("dockhand:preview"));
    expect(rig.fake.calls("issues/remove-label").map((r) => r.status)).toEqual([404]);
    expect(rig.fake.calls("issues/create-comment")).toHaveLength(1);
  });

  it("touches no label when the report asks for none", async () => {
    rig = await startRig(mode);
    rig.fake.resources.addLabel(REPOSITORY, 42, "dockhand:preview");
    await new GitHubPullRequestReporter({ client: rig.client, log: quietLog }).report(report());
    expect(rig.fake.calls("issues/remove-label")).toEqual([]);
    expect(rig.fake.resources.labelsOf(REPOSITORY, 42)).toEqual(["dockhand:preview"]);
  });
});
