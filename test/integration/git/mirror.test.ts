/**
 * What a mirror holds, against real repos: branches and tags, never the
 * pull request heads a GitHub remote keeps at refs/pull/<n>/head, which
 * only a pull request's job fetches (into refs/dockhand/pr/<n>); a mirror
 * an older dockhand cloned with `--mirror` drops them at its next fetch.
 */
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { GitRepo, SourceRepositories } from "../../../src/git/index.js";
import { commitAll, git, makeRepo, tempDir } from "./git-fixture.js";

const cleanup: string[] = [];
afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

/** A repo on main with tag v1, and a pull request #7 whose head is on no branch (as a fork's is on GitHub). */
function remoteWithPullRequest(): { origin: string; main: string; head: string; cacheDir: string } {
  const origin = makeRepo({ "dockhand.yaml": "hosts: {}\n" });
  const main = git(origin, "rev-parse", "HEAD");
  git(origin, "tag", "v1");
  git(origin, "checkout", "--quiet", "-b", "fork");
  const head = commitAll(origin, "a stranger's change");
  git(origin, "update-ref", "refs/pull/7/head", head);
  git(origin, "checkout", "--quiet", "main");
  git(origin, "branch", "--quiet", "-D", "fork");
  const cacheDir = tempDir("mirror");
  cleanup.push(origin, cacheDir);
  return { origin, main, head, cacheDir };
}

function refsOf(dir: string): string[] {
  return git(dir, "for-each-ref", "--format=%(refname)").split("\n").filter(Boolean).sort();
}

function unknownRef(origin: string, sha: string): string {
  return `unknown ref "${sha}" in ${origin}: expected a branch, a tag or a commit sha that exists there`;
}

describe("a mirror holds branches and tags only", () => {
  it("clones and fetches no pull request head, nor its objects", async () => {
    const { origin, main, head, cacheDir } = remoteWithPullRequest();
    const repo = new GitRepo({ url: origin, cacheDir });
    expect(await repo.head()).toBe(main);
    expect(await repo.head()).toBe(main);
    expect(repo.stats).toEqual({ clones: 1, fetches: 1 });
    expect(refsOf(repo.mirrorDir)).toEqual(["refs/heads/main", "refs/tags/v1"]);
    await expect(repo.snapshot(head)).rejects.toThrow(unknownRef(origin, head));
    expect(git(repo.mirrorDir, "config", "--get-all", "remote.origin.fetch")).toBe(
      "+refs/heads/*:refs/heads/*\n+refs/tags/*:refs/tags/*",
    );
  });

  it("fetches a pull request's head when its job asks, and keeps it through later fetches", async () => {
    const { origin, main, head, cacheDir } = remoteWithPullRequest();
    const repo = new GitRepo({ url: origin, cacheDir });
    await repo.fetchPullRequest(7, head);
    expect((await repo.snapshot(head)).source.sha).toBe(head);
    expect(await repo.head()).toBe(main);
    expect(refsOf(repo.mirrorDir)).toEqual(["refs/dockhand/pr/7", "refs/heads/main", "refs/tags/v1"]);
    expect(await repo.isAncestor(head, main)).toBe(false);
  });

  it("reads a pull request's head from its branch where the remote has no pull request refs", async () => {
    const { origin, cacheDir } = remoteWithPullRequest();
    git(origin, "checkout", "--quiet", "-b", "feature");
    const head = commitAll(origin, "a branch of this repository");
    git(origin, "checkout", "--quiet", "main");
    const repo = new GitRepo({ url: origin, cacheDir });
    await repo.fetchPullRequest(8, head);
    expect((await repo.snapshot(head)).source.sha).toBe(head);
    await expect(repo.fetchPullRequest(1.5, head)).rejects.toThrow(
      "pull request number must be a positive integer, got 1.5",
    );
  });

  it("drops every other ref of a mirror cloned with --mirror at its next fetch", async () => {
    const { origin, main, head, cacheDir } = remoteWithPullRequest();
    const repo = new GitRepo({ url: origin, cacheDir });
    git(cacheDir, "clone", "--quiet", "--mirror", origin, repo.mirrorDir);
    expect(refsOf(repo.mirrorDir)).toContain("refs/pull/7/head");
    expect(await repo.head()).toBe(main);
    expect(refsOf(repo.mirrorDir)).toEqual(["refs/heads/main", "refs/tags/v1"]);
    expect(git(repo.mirrorDir, "config", "--get-all", "remote.origin.fetch")).toBe(
      "+refs/heads/*:refs/heads/*\n+refs/tags/*:refs/tags/*",
    );
    expect(await repo.isAncestor(head, main)).toBe(false);
  });
});

describe("a source repository's pull request head", () => {
  it("is read only once its job fetched it, and is on no branch of the repository", async () => {
    const { origin, main, head, cacheDir } = remoteWithPullRequest();
    const sources = new SourceRepositories(cacheDir);
    await expect(sources.read({ url: origin, branch: "main" }, head)).rejects.toThrow(unknownRef(origin, head));
    await sources.fetchPullRequest(origin, 7, head);
    expect(await sources.read({ url: origin, branch: "main" }, head)).toMatchObject({ sha: head });
    expect(await sources.isAncestor(origin, head, main)).toBe(false);
    expect(await sources.isAncestor(origin, main, head)).toBe(true);
  });
});
