/**
 * Which syncs may name a commit off the tracked branch, against a real git
 * repo read through GitRepo: a push (and any sync that is not an operator's)
 * only the branch's head or a commit it holds; `dockhand apply --ref` and the
 * admin API any commit; a pull request's job its head. A remote that cannot
 * be reached is a failure worth retrying, never a refusal.
 */
import { renameSync, rmSync } from "node:fs";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { GitRepo } from "../../src/git/index.js";
import type { PullRequestInfo, SyncJob, SyncTrigger } from "../../src/model/index.js";
import { readPushedCommit } from "../../src/worker/sync/read-pushed-commit.js";
import { commitAll, git, makeRepo, tempDir } from "../integration/git/git-fixture.js";

const origin = makeRepo({ "dockhand.yaml": "hosts: {}\n" });
const older = git(origin, "rev-parse", "HEAD");
const head = commitAll(origin, "second");
git(origin, "checkout", "--quiet", "-b", "feature");
const feature = commitAll(origin, "feature");
git(origin, "checkout", "--quiet", "main");
const cacheDir = tempDir("triggers");
const repo = new GitRepo({ url: origin, cacheDir });
const log = pino({ level: "silent" });

afterAll(() => {
  for (const dir of [origin, `${origin}-gone`, cacheDir]) rmSync(dir, { recursive: true, force: true });
});

async function read(job: SyncJob): Promise<string> {
  const result = await readPushedCommit(job, repo, log);
  return "snapshot" in result ? result.snapshot.source.sha : `refused: ${result.refused.error?.code}`;
}

const pr: PullRequestInfo = {
  number: 4,
  action: "synchronize",
  repository: "acme/deploy",
  headSha: feature,
  headRef: "feature",
  baseRef: "main",
  fork: false,
  merged: false,
  labels: [],
};

describe("the commit a sync may name", () => {
  it.each<[SyncTrigger, string, string]>([
    ["push", "the head", head],
    ["push", "an older commit of the branch", older],
    ["push", "another branch's head", "refused: DOCKHAND_E_UNTRUSTED_REF"],
    ["poll", "another branch's head", "refused: DOCKHAND_E_UNTRUSTED_REF"],
    ["startup", "another branch's head", "refused: DOCKHAND_E_UNTRUSTED_REF"],
    ["cli", "another branch's head", feature],
    ["api", "another branch's head", feature],
  ])("a %s sync naming %s reads %s", async (trigger, what, expected) => {
    const sha = { "the head": head, "an older commit of the branch": older, "another branch's head": feature }[what];
    expect(await read({ trigger, env: "production", sha })).toBe(expected);
  });

  it("reads the head for a sync that names no commit, and a pull request's job at its head", async () => {
    expect(await read({ trigger: "poll", env: "production" })).toBe(head);
    expect(await read({ trigger: "pull_request", env: "pr-4", sha: feature, pullRequest: pr })).toBe(feature);
  });

  it("fails as worth retrying, not as a refusal, when the remote cannot be reached", async () => {
    renameSync(origin, `${origin}-gone`);
    try {
      await expect(read({ trigger: "push", env: "production", sha: head })).rejects.toMatchObject({
        code: "DOCKHAND_E_GIT",
        transient: true,
      });
    } finally {
      renameSync(`${origin}-gone`, origin);
    }
  });
});
