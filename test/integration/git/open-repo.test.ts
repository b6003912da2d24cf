import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DirectoryRepo } from "../../../src/git/directory-repo.js";
import { GitRepo } from "../../../src/git/git-repo.js";
import { openRepo } from "../../../src/git/open-repo.js";
import { makeRepo, tempDir } from "./git-fixture.js";

describe("openRepo", () => {
  const work = makeRepo({ "dockhand.yaml": "hosts: {}\n" });
  const bare = tempDir("bare");
  execFileSync("git", ["clone", "-q", "--bare", work, bare]);
  const cacheDir = tempDir("cache");
  const empty = tempDir("empty");
  afterAll(() => {
    for (const dir of [work, bare, cacheDir, empty]) rmSync(dir, { recursive: true, force: true });
  });

  it.each<[string, { repo: string; ref?: string }, typeof DirectoryRepo | typeof GitRepo]>([
    ["a directory with dockhand.yaml, no ref: read from disk", { repo: work }, DirectoryRepo],
    ["the same directory by a relative path", { repo: relative(process.cwd(), work) }, DirectoryRepo],
    ["the same directory with a ref: read through git", { repo: work, ref: "main" }, GitRepo],
    ["a bare repo", { repo: bare }, GitRepo],
    ["an https URL", { repo: "https://github.com/acme/deploy.git" }, GitRepo],
    ["an scp-like URL", { repo: "git@github.com:acme/deploy.git" }, GitRepo],
    ["a file:// URL of the work tree", { repo: `file://${work}` }, GitRepo],
    ["a directory without dockhand.yaml", { repo: empty }, GitRepo],
  ])("%s", async (_name, options, kind) => {
    const repo = await openRepo({ ...options, branch: "main", cacheDir });
    expect(repo).toBeInstanceOf(kind);
  });

  it("passes the branch to GitRepo and makes a DirectoryRepo's path absolute", async () => {
    const viaGit = await openRepo({ repo: bare, branch: "production", cacheDir });
    expect(viaGit).toMatchObject({ branch: "production", url: bare });
    const fromDisk = await openRepo({ repo: relative(process.cwd(), work), branch: "main", cacheDir });
    expect(fromDisk).toMatchObject({ dir: work });
  });
});
