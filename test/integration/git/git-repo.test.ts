import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DirectoryRepo } from "../../../src/git/directory-repo.js";
import { GitRepo } from "../../../src/git/git-repo.js";
import type { DockhandError } from "../../../src/model/errors.js";
import { commitAll, type FixtureFile, git, makeRepo, readTar, tempDir, writeFiles } from "./git-fixture.js";

const FILES: Record<string, FixtureFile> = {
  "dockhand.yaml": "hosts: {}\n",
  "apps/web.yaml": "name: web\n",
  "apps/link.yaml": { link: "web.yaml" },
  "services/web/Dockerfile": "FROM busybox:stable\n",
  "services/web/run.sh": { exec: "#!/bin/sh\n" },
  "services/web/current": { link: "run.sh" },
  "services/web/static/index.html": "<h1>hi</h1>\n",
  "services/web/.gitattributes": "secret.txt export-ignore\nversion.txt export-subst\n",
  "services/web/secret.txt": "kept in the context\n",
  "services/web/version.txt": "$Format:%H$\n",
};

const cleanup: string[] = [];
afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

function setup(files: Record<string, FixtureFile> = FILES): { origin: string; cacheDir: string; repo: GitRepo } {
  const origin = makeRepo(files);
  const cacheDir = tempDir("cache");
  cleanup.push(origin, cacheDir);
  return { origin, cacheDir, repo: new GitRepo({ url: origin, cacheDir }) };
}

describe("GitRepo.snapshot", () => {
  it("clones a mirror and reads the tracked branch: files, every tree, the sha", async () => {
    const { origin, cacheDir, repo } = setup();
    const snap = await repo.snapshot();
    expect(snap.source).toEqual({ repo: origin, sha: git(origin, "rev-parse", "main") });
    // apps/link.yaml is a symlink: its blob is a path, not YAML
    expect(snap.files).toEqual({ "dockhand.yaml": "hosts: {}\n", "apps/web.yaml": "name: web\n" });
    expect(snap.trees[""]).toBe(git(origin, "rev-parse", "main^{tree}"));
    expect(snap.trees["services/web/static"]).toBe(git(origin, "rev-parse", "main:services/web/static"));
    expect(Object.keys(snap.trees).sort()).toEqual(["", "apps", "services", "services/web", "services/web/static"]);
    expect(readdirSync(cacheDir)).toEqual([repo.mirrorDir.slice(cacheDir.length + 1)]);
    expect(git(repo.mirrorDir, "rev-parse", "--is-bare-repository")).toBe("true");
  });

  it("gives the same trees as DirectoryRepo over the same content", async () => {
    const { origin, repo } = setup();
    const [fromGit, fromDisk] = [await repo.snapshot(), await new DirectoryRepo({ dir: origin }).snapshot()];
    expect(fromDisk.trees).toEqual(fromGit.trees);
    expect(fromDisk.files).toEqual(fromGit.files);
  });

  it("reads a branch, a lightweight tag, an annotated tag, a full sha and a short sha", async () => {
    const { origin, repo } = setup();
    const first = git(origin, "rev-parse", "HEAD");
    git(origin, "tag", "v1");
    git(origin, "tag", "-a", "v1-annotated", "-m", "release");
    git(origin, "checkout", "-q", "-b", "feature");
    writeFiles(origin, { "apps/web.yaml": "name: web\nreplicas: 2\n" });
    const second = commitAll(origin, "feature");
    git(origin, "checkout", "-q", "main");
    const cases: [string | undefined, string][] = [
      [undefined, first],
      ["main", first],
      ["feature", second],
      ["v1", first],
      ["v1-annotated", first],
      [second, second],
      [second.slice(0, 10), second],
    ];
    for (const [ref, sha] of cases) {
      const snap = await repo.snapshot(ref);
      expect(snap.source.sha, String(ref)).toBe(sha);
      expect(snap.files["apps/web.yaml"], String(ref)).toBe(
        sha === second ? "name: web\nreplicas: 2\n" : "name: web\n",
      );
    }
  });

  it("fetches new commits and pruned branches on the next call", async () => {
    const { origin, repo } = setup();
    git(origin, "branch", "doomed");
    await repo.snapshot();
    writeFiles(origin, { "dockhand.yaml": "hosts: { alpha: {} }\n" });
    const next = commitAll(origin, "second");
    git(origin, "branch", "-D", "doomed");
    const snap = await repo.snapshot();
    expect(snap.source.sha).toBe(next);
    expect(snap.files["dockhand.yaml"]).toBe("hosts: { alpha: {} }\n");
    await expect(repo.resolve("doomed")).rejects.toMatchObject({ code: "DOCKHAND_E_GIT", transient: false });
  });

  it("reads a bare repo, and a repo given by a relative path", async () => {
    const { origin, cacheDir } = setup();
    const bare = tempDir("bare");
    cleanup.push(bare);
    execFileSync("git", ["clone", "-q", "--bare", origin, bare]);
    const fromBare = await new GitRepo({ url: bare, cacheDir }).snapshot();
    expect(fromBare.source.sha).toBe(git(origin, "rev-parse", "main"));
    const relative = new GitRepo({ url: join(origin, "..", origin.split("/").pop()!), cacheDir });
    expect(relative.url).toBe(origin);
  });

  it("tracks another branch when told to", async () => {
    const { origin, cacheDir } = setup();
    git(origin, "branch", "production");
    const snap = await new GitRepo({ url: origin, branch: "production", cacheDir }).snapshot();
    expect(snap.source.sha).toBe(git(origin, "rev-parse", "production"));
  });
});

describe("GitRepo fetches", () => {
  it("serialise and coalesce: 10 concurrent snapshots of a fresh mirror clone once and fetch once", async () => {
    const { origin, repo } = setup();
    const snaps = await Promise.all(Array.from({ length: 10 }, () => repo.snapshot()));
    expect(new Set(snaps.map((s) => s.source.sha))).toEqual(new Set([git(origin, "rev-parse", "main")]));
    expect(repo.stats).toEqual({ clones: 1, fetches: 1 });
  });

  it("skip the fetch for a full sha already in the mirror", async () => {
    const { repo } = setup();
    const { source } = await repo.snapshot();
    const before = { ...repo.stats };
    await repo.snapshot(source.sha);
    expect(repo.stats).toEqual(before);
  });
});

describe("GitRepo errors", () => {
  it("a repo that does not exist: DOCKHAND_E_GIT, transient, git's reason, no leftovers", async () => {
    const cacheDir = tempDir("cache");
    cleanup.push(cacheDir);
    const missing = join(cacheDir, "no-such-repo");
    const err = (await new GitRepo({ url: missing, cacheDir }).snapshot().catch((e) => e)) as DockhandError;
    expect(err.code).toBe("DOCKHAND_E_GIT");
    expect(err.transient).toBe(true);
    expect(err.message).toBe(`could not fetch ${missing}: repository '${missing}' does not exist`);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it("never puts credentials of a URL in the message", async () => {
    const cacheDir = tempDir("cache");
    cleanup.push(cacheDir);
    const url = "http://deploy:s3cr3t-token@127.0.0.1:9/acme/deploy.git";
    const err = (await new GitRepo({ url, cacheDir }).snapshot().catch((e) => e)) as DockhandError;
    expect(err.code).toBe("DOCKHAND_E_GIT");
    expect(err.transient).toBe(true);
    expect(err.message).toMatch(/^could not fetch http:\/\/\*\*\*@127\.0\.0\.1:9\/acme\/deploy\.git: /);
    expect(err.message).not.toContain("s3cr3t");
  });

  it.each([
    ["a branch that does not exist", "nope"],
    ["a sha that does not exist", "0123456789abcdef0123456789abcdef01234567"],
    ["something that looks like an option", "--output=/tmp/x"],
    ["a range", "main..main"],
  ])("%s: DOCKHAND_E_GIT, not transient, naming the ref", async (_name, ref) => {
    const { repo } = setup();
    await expect(repo.snapshot(ref)).rejects.toMatchObject({
      code: "DOCKHAND_E_GIT",
      transient: false,
      message: expect.stringContaining(`unknown ref "${ref}"`),
    });
  });

  it("a tracked branch that does not exist names the branch", async () => {
    const { origin, cacheDir } = setup();
    await expect(new GitRepo({ url: origin, branch: "prod", cacheDir }).snapshot()).rejects.toMatchObject({
      code: "DOCKHAND_E_GIT",
      transient: false,
      message: expect.stringContaining('unknown ref "prod"'),
    });
  });

  it.each([
    ["", /url is empty/],
    ["--upload-pack=touch /tmp/pwned", /starts with "-"/],
  ])("refuses the url %j", (url, message) => {
    expect(() => new GitRepo({ url, cacheDir: "/tmp" })).toThrow(message);
  });
});

describe("GitRepo.contextTar", () => {
  it("is git archive of one directory at a sha, export attributes ignored", async () => {
    const { repo } = setup();
    const { source } = await repo.snapshot();
    const entries = await readTar(repo.contextTar(source.sha, "services/web"));
    const files = Object.keys(entries).filter((n) => entries[n]?.type !== "directory");
    expect(files.sort()).toEqual([
      ".gitattributes",
      "Dockerfile",
      "current",
      "run.sh",
      "secret.txt",
      "static/index.html",
      "version.txt",
    ]);
    expect(entries["run.sh"]?.mode).toBe(0o775);
    expect(entries.current).toMatchObject({ type: "symlink", linkname: "run.sh" });
    expect(entries["version.txt"]?.content).toBe("$Format:%H$\n");
  });

  it("fetches a commit the mirror has not seen yet", async () => {
    const { origin, repo } = setup();
    await repo.snapshot();
    writeFiles(origin, { "services/web/Dockerfile": "FROM busybox:stable\nRUN true\n" });
    const next = commitAll(origin, "later");
    const entries = await readTar(repo.contextTar(next, "./services/web/"));
    expect(entries.Dockerfile?.content).toBe("FROM busybox:stable\nRUN true\n");
  });

  it("ends with a DOCKHAND_E_GIT error carrying git's words for a directory that is not there", async () => {
    const { repo } = setup();
    const { source } = await repo.snapshot();
    await expect(readTar(repo.contextTar(source.sha, "services/nope"))).rejects.toMatchObject({
      code: "DOCKHAND_E_GIT",
      transient: false,
      message: expect.stringMatching(/^could not read services\/nope at [0-9a-f]{40} from .*: not a valid object name/),
    });
  });

  it("ends with an error for an unknown sha", async () => {
    const { repo } = setup();
    await expect(readTar(repo.contextTar("0123456789abcdef0123456789abcdef01234567", ""))).rejects.toMatchObject({
      code: "DOCKHAND_E_GIT",
      message: expect.stringContaining('unknown ref "0123456789abcdef0123456789abcdef01234567"'),
    });
  });
});

describe("GitRepo.changedPaths", () => {
  it("lists added, modified, deleted and both sides of renamed paths", async () => {
    const { origin, repo } = setup();
    const from = git(origin, "rev-parse", "HEAD");
    writeFiles(origin, { "apps/api.yaml": "name: api\n", "services/web/static/index.html": "<h1>new</h1>\n" });
    git(origin, "mv", "services/web/run.sh", "services/web/start.sh");
    git(origin, "rm", "-q", "services/web/secret.txt");
    const to = commitAll(origin, "change");
    expect(await repo.changedPaths(from, to)).toEqual([
      "apps/api.yaml",
      "services/web/run.sh",
      "services/web/secret.txt",
      "services/web/start.sh",
      "services/web/static/index.html",
    ]);
    expect(await repo.changedPaths(to, to)).toEqual([]);
  });
});

describe("GitRepo.resolve", () => {
  it("returns the full sha of main", async () => {
    const { origin, repo } = setup();
    expect(await repo.resolve("main")).toBe(git(origin, "rev-parse", "main"));
    expect(existsSync(join(repo.mirrorDir, "info", "attributes"))).toBe(true);
  });
});
