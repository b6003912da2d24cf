/**
 * SourceRepositories against real git repos: the default branch the remote
 * names, a named branch, a pinned commit, directory hashes equal to git's own,
 * and a branch that does not exist.
 */
import { afterAll, describe, expect, it } from "vitest";
import { SourceRepositories } from "../../../src/git/index.js";
import { DockhandError } from "../../../src/model/index.js";
import { commitAll, git, makeRepo, readTar, tempDir } from "./git-fixture.js";

const repo = makeRepo({ "web/Dockerfile": "FROM busybox:stable\n", "web/page.txt": "one\n", "README.md": "hi\n" });
git(repo, "branch", "-M", "trunk");
const trunkFirst = git(repo, "rev-parse", "HEAD");
git(repo, "checkout", "--quiet", "-b", "next");
git(repo, "rm", "--quiet", "web/page.txt");
const next = commitAll(repo, "next: no page");
git(repo, "checkout", "--quiet", "trunk");
const cache = tempDir("sources");
const sources = new SourceRepositories(cache);

afterAll(() => {
  git(repo, "checkout", "--quiet", "trunk");
});

describe("SourceRepositories", () => {
  it("reads the default branch the repository names when the app names none", async () => {
    const read = await sources.read({ url: repo });
    expect(read).toMatchObject({ url: repo, branch: "trunk", sha: trunkFirst });
    expect(read.trees.web).toBe(git(repo, "rev-parse", `${trunkFirst}:web`));
    expect(read.trees[""]).toBe(git(repo, "rev-parse", `${trunkFirst}^{tree}`));
  });

  it("reads a named branch, and a pinned commit instead of its head", async () => {
    expect(await sources.read({ url: repo, branch: "next" })).toMatchObject({ branch: "next", sha: next });
    const pinned = await sources.read({ url: repo, branch: "next" }, trunkFirst);
    expect(pinned).toMatchObject({ branch: "next", sha: trunkFirst });
  });

  it("sees a commit pushed after the first read", async () => {
    git(repo, "commit", "--quiet", "--allow-empty", "-m", "later");
    const later = git(repo, "rev-parse", "HEAD");
    expect((await sources.read({ url: repo })).sha).toBe(later);
  });

  it("archives a context at the commit read", async () => {
    const entries = await readTar(sources.contextTar(repo, trunkFirst, "web"));
    expect(Object.keys(entries).sort()).toEqual(["Dockerfile", "page.txt"]);
  });

  it("names the repository and the branch it lacks, as an error that is not worth retrying", async () => {
    const error = await sources.read({ url: repo, branch: "nope" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockhandError);
    expect((error as DockhandError).transient).toBe(false);
    expect((error as DockhandError).message).toBe(
      `unknown ref "nope" in ${repo}: expected a branch, a tag or a commit sha that exists there`,
    );
  });
});
