import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DirectoryRepo } from "../../../src/git/directory-repo.js";
import { commitAll, type FixtureFile, git, makeRepo, readTar, tempDir, writeFiles } from "./git-fixture.js";

const FILES: Record<string, FixtureFile> = {
  "dockhand.yaml": "hosts: {}\n",
  "apps/web.yaml": "name: web\nbuild: { context: services/web }\n",
  "apps/api.yaml": "name: api\nimage: busybox:stable\n",
  "apps/notes.txt": "not an app\n",
  "services/web/Dockerfile": "FROM busybox:stable\nCOPY . /www\n",
  "services/web/run.sh": { exec: "#!/bin/sh\nexec httpd -f -p 8080 -h /www\n" },
  "services/web/current": { link: "run.sh" },
  "services/web/static/index.html": "<h1>hi</h1>\n",
  "services/web/.gitignore": "node_modules/\n*.log\n",
  "services/web/node_modules/dep/index.js": "ignored\n",
  "services/web/debug.log": "ignored\n",
  // Names that sort differently as files and as trees ("a.b" < "a/" < "a0").
  "tricky/a.b": "1\n",
  "tricky/a/x": "2\n",
  "tricky/a-b": "3\n",
  "tricky/a0": "4\n",
  "tricky/A": "5\n",
  "tricky/é.txt": "6\n",
  "tricky/deep/er/est/file": "7\n",
  "tricky/dirlink": { link: "a" },
  "empty-binary": "",
  // git records 100755 when the owner may execute, whatever group and others may do.
  "modes/owner-exec": { content: "x\n", mode: 0o744 },
  "modes/others-exec": { content: "y\n", mode: 0o651 },
};

/** Every directory git recorded at HEAD, with git's own tree hash. */
function gitTrees(dir: string): Record<string, string> {
  const trees: Record<string, string> = { "": git(dir, "rev-parse", "HEAD^{tree}") };
  for (const line of git(dir, "ls-tree", "-r", "-d", "-z", "HEAD").split("\0")) {
    const m = /^040000 tree ([0-9a-f]{40})\t(.+)$/.exec(line);
    if (m) trees[m[2]!] = m[1]!;
  }
  return trees;
}

const cleanup: string[] = [];
afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

function fixtureRepo(): string {
  const dir = makeRepo(FILES);
  mkdirSync(join(dir, "empty/also-empty"), { recursive: true }); // git has no empty trees
  cleanup.push(dir);
  return dir;
}

describe("DirectoryRepo tree hashes equal git's", () => {
  it("for every directory of a committed work tree, nested, executable, symlinks, tricky names, ignored files", async () => {
    const dir = fixtureRepo();
    const snap = await new DirectoryRepo({ dir }).snapshot();
    const expected = gitTrees(dir);
    expect(Object.keys(expected)).toEqual(
      expect.arrayContaining(["", "services/web", "services/web/static", "tricky/a", "tricky/deep/er/est"]),
    );
    expect(snap.trees).toEqual(expected);
    for (const path of ["", "services/web", "tricky", "tricky/a", "tricky/deep/er"]) {
      expect(snap.trees[path], path).toBe(git(dir, "rev-parse", `HEAD:${path}`));
    }
  });

  it("for a plain directory outside git (every file but .git counts)", async () => {
    const repo = fixtureRepo();
    const plain = tempDir("plain");
    cleanup.push(plain);
    cpSync(repo, plain, { recursive: true, verbatimSymlinks: true });
    rmSync(join(plain, "services/web/node_modules"), { recursive: true });
    rmSync(join(plain, "services/web/debug.log"));
    rmSync(join(plain, ".git"), { recursive: true });
    mkdirSync(join(plain, ".git"));
    writeFileSync(join(plain, ".git", "not-content"), "skipped\n");
    const snap = await new DirectoryRepo({ dir: plain }).snapshot();
    expect(snap.trees).toEqual(gitTrees(repo));
  });

  it("follows uncommitted edits, and agrees again once they are committed", async () => {
    const dir = fixtureRepo();
    const repo = new DirectoryRepo({ dir });
    writeFiles(dir, { "services/web/static/index.html": "<h1>changed</h1>\n", "services/web/new.txt": "new\n" });
    rmSync(join(dir, "tricky/a0")); // a tracked file deleted in the work tree
    const before = gitTrees(dir);
    const edited = await repo.snapshot();
    expect(edited.trees["services/web"]).not.toBe(before["services/web"]);
    expect(edited.trees.tricky).not.toBe(before.tricky);
    expect(edited.trees["tricky/a"]).toBe(before["tricky/a"]);
    commitAll(dir, "edits");
    expect(edited.trees).toEqual(gitTrees(dir));
  });

  it("matches a subdirectory of a bigger repo read on its own", async () => {
    const dir = fixtureRepo();
    const snap = await new DirectoryRepo({ dir: join(dir, "services") }).snapshot();
    expect(snap.trees[""]).toBe(git(dir, "rev-parse", "HEAD:services"));
    expect(snap.trees.web).toBe(git(dir, "rev-parse", "HEAD:services/web"));
  });
});

describe("DirectoryRepo.snapshot", () => {
  it("reads dockhand.yaml and apps/*.yaml only, from disk, with source sha 'worktree'", async () => {
    const dir = fixtureRepo();
    writeFiles(dir, { "apps/api.yaml": "name: api\nreplicas: 2\n" });
    const snap = await new DirectoryRepo({ dir }).snapshot();
    expect(snap.source).toEqual({ repo: dir, sha: "worktree" });
    expect(snap.files).toEqual({
      "dockhand.yaml": "hosts: {}\n",
      "apps/web.yaml": "name: web\nbuild: { context: services/web }\n",
      "apps/api.yaml": "name: api\nreplicas: 2\n",
    });
  });

  it("refuses a ref: a working directory has none", async () => {
    const dir = fixtureRepo();
    await expect(new DirectoryRepo({ dir }).snapshot("main")).rejects.toMatchObject({
      code: "DOCKHAND_E_USAGE",
      message: expect.stringContaining('has no ref "main"'),
    });
  });

  it("fails with DOCKHAND_E_GIT naming a directory that does not exist", async () => {
    const parent = tempDir("gone");
    cleanup.push(parent);
    const missing = join(parent, "nope");
    await expect(new DirectoryRepo({ dir: missing }).snapshot()).rejects.toMatchObject({
      code: "DOCKHAND_E_GIT",
      message: expect.stringContaining(missing),
    });
  });
});

describe("DirectoryRepo.contextTar", () => {
  it("packs one directory with modes and symlinks, leaving ignored files out", async () => {
    const dir = fixtureRepo();
    const entries = await readTar(new DirectoryRepo({ dir }).contextTar("ignored", "./services/web/"));
    expect(Object.keys(entries).sort()).toEqual([".gitignore", "Dockerfile", "current", "run.sh", "static/index.html"]);
    expect(entries["run.sh"]).toMatchObject({
      type: "file",
      mode: 0o755,
      content: "#!/bin/sh\nexec httpd -f -p 8080 -h /www\n",
    });
    expect(entries.Dockerfile).toMatchObject({ type: "file", mode: 0o644 });
    expect(entries.current).toMatchObject({ type: "symlink", linkname: "run.sh" });
  });

  it("packs the whole tree for the root", async () => {
    const dir = fixtureRepo();
    const entries = await readTar(new DirectoryRepo({ dir }).contextTar("", ""));
    expect(entries["dockhand.yaml"]?.content).toBe("hosts: {}\n");
    expect(entries["tricky/deep/er/est/file"]?.content).toBe("7\n");
    expect(Object.keys(entries).some((n) => n.startsWith(".git/"))).toBe(false);
  });

  it("ends with a DOCKHAND_E_GIT error for a directory with no files", async () => {
    const dir = fixtureRepo();
    await expect(readTar(new DirectoryRepo({ dir }).contextTar("", "services/nope"))).rejects.toMatchObject({
      code: "DOCKHAND_E_GIT",
      message: expect.stringContaining("services/nope"),
    });
  });
});
