/**
 * Installs from the lock, with the real npm and no network: scripts/ensure-deps.sh
 * runs `npm ci` only when package-lock.json changed, never rewrites the lock and
 * never empties a linked node_modules; `npm ci` of npm 11 and of npm 10 accepts
 * the repository's own lock (a lock missing another platform's optional package
 * is refused by npm 11); and scripts/check-lock.sh fails a test run that changed the lock.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const tmp = mkdtempSync(join(tmpdir(), "dockhand-deps-"));
const OFFLINE = { ...process.env, npm_config_offline: "true", npm_config_audit: "false", npm_config_fund: "false" };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const options = { cwd, env: { ...OFFLINE, ...env }, maxBuffer: 16 * 1024 * 1024 };
    execFile(command, args, options, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("scripts/ensure-deps.sh", () => {
  const project = join(tmp, "project");
  const ensureDeps = () => run("bash", [join(project, "scripts", "ensure-deps.sh")], project);
  const writePackage = (dependencies: Record<string, string>) =>
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "fixture", version: "1.0.0", dependencies }));
  const addLocalPackage = (name: string) => {
    mkdirSync(join(project, name));
    writeFileSync(join(project, name, "package.json"), JSON.stringify({ name, version: "1.0.0" }));
  };

  // A project whose dependencies are directories beside it: npm ci works on them offline.
  beforeAll(async () => {
    mkdirSync(join(project, "scripts"), { recursive: true });
    copyFileSync(join(ROOT, "scripts", "ensure-deps.sh"), join(project, "scripts", "ensure-deps.sh"));
    addLocalPackage("first");
    writePackage({ first: "file:./first" });
    const locked = await run("npm", ["install", "--package-lock-only", "--ignore-scripts"], project);
    expect(locked.stderr).toBe("");
  });

  it("installs with npm ci where node_modules is missing, and records the lock it installed", async () => {
    const result = await ensureDeps();
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^installing npm dependencies \(npm ci\)\n\nadded 1 package in /);
    expect(existsSync(join(project, "node_modules", "first", "package.json"))).toBe(true);
    expect(readFileSync(join(project, "node_modules", ".dockhand-lock-sha"), "utf8").trim()).toBe(
      sha256(join(project, "package-lock.json")),
    );
  });

  it("does nothing when node_modules was installed from this lock", async () => {
    // npm ci empties node_modules first: a file of ours surviving shows it did not run.
    writeFileSync(join(project, "node_modules", "mark"), "");
    const result = await ensureDeps();
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(existsSync(join(project, "node_modules", "mark"))).toBe(true);
  });

  it("installs again when the lock changed, and leaves the lock as it was", async () => {
    addLocalPackage("second");
    writePackage({ first: "file:./first", second: "file:./second" });
    await run("npm", ["install", "--package-lock-only", "--ignore-scripts"], project);
    const lock = readFileSync(join(project, "package-lock.json"), "utf8");
    const result = await ensureDeps();
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^installing npm dependencies \(npm ci\)\n\nadded 2 packages in /);
    expect(existsSync(join(project, "node_modules", "mark"))).toBe(false);
    expect(existsSync(join(project, "node_modules", "second", "package.json"))).toBe(true);
    expect(readFileSync(join(project, "package-lock.json"), "utf8")).toBe(lock);
  });

  it("refuses to reinstall through a linked node_modules installed from another lock", async () => {
    const shared = join(tmp, "shared-node_modules");
    mkdirSync(shared);
    writeFileSync(join(shared, ".dockhand-lock-sha"), "another lock\n");
    rmSync(join(project, "node_modules"), { recursive: true });
    symlinkSync(shared, join(project, "node_modules"));
    const result = await ensureDeps();
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `node_modules links to ${shared}, installed from another package-lock.json;\n` +
        "not reinstalling through the link: run npm ci where it points, or remove the link\n",
    );
    expect(readFileSync(join(shared, ".dockhand-lock-sha"), "utf8")).toBe("another lock\n");
  });
});

describe("npm ci on the repository's package-lock.json", () => {
  const copy = (name: string) => {
    const dir = join(tmp, name);
    mkdirSync(dir);
    copyFileSync(join(ROOT, "package.json"), join(dir, "package.json"));
    copyFileSync(join(ROOT, "package-lock.json"), join(dir, "package-lock.json"));
    return dir;
  };
  const CI = ["ci", "--dry-run", "--ignore-scripts", "--loglevel=error"];
  const dryRun = (dir: string) => run("npm", CI, dir);

  it("accepts it: every platform's optional packages are in the lock", async () => {
    const result = await dryRun(copy("repository-lock"));
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\nadded \d+ packages/);
  });

  it("npm 10 (the one Node 22 ships) accepts it too", async () => {
    // npx takes npm 10 from its cache, or the registry when it has none; npm ci itself stays offline.
    const result = await run("npx", ["--yes", "npm@10.9.9", ...CI, "--offline"], copy("repository-lock-npm10"), {
      npm_config_offline: "false",
      npm_config_prefer_offline: "true",
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\nadded \d+ packages/);
  });

  // The check above can fail: the lock as npm 11 used to leave it, without another platform's binary.
  it("refuses a lock that lacks another platform's optional package", async () => {
    const dir = copy("incomplete-lock");
    const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8")) as {
      packages: Record<string, unknown>;
    };
    delete lock.packages["node_modules/@biomejs/cli-android-arm64"];
    writeFileSync(join(dir, "package-lock.json"), JSON.stringify(lock, null, 2));
    const result = await dryRun(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Missing: @biomejs/cli-android-arm64@2.6.8 from lock file");
  });
});

describe("scripts/check-lock.sh", () => {
  const project = join(tmp, "check-lock");
  const lock = join(project, "package-lock.json");
  const before = join(project, "lock-before.json");
  const checkLock = () => run("bash", [join(project, "scripts", "check-lock.sh"), before, "the tests"], project);

  beforeAll(() => {
    mkdirSync(join(project, "scripts"), { recursive: true });
    copyFileSync(join(ROOT, "scripts", "check-lock.sh"), join(project, "scripts", "check-lock.sh"));
    writeFileSync(lock, '{\n  "name": "fixture",\n  "lockfileVersion": 3\n}\n');
    copyFileSync(lock, before);
  });

  it("passes, saying nothing, when the lock is as it was", async () => {
    expect(await checkLock()).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("fails when the run changed the lock, naming the step and showing the change", async () => {
    writeFileSync(lock, '{\n  "name": "fixture",\n  "lockfileVersion": 2\n}\n');
    const result = await checkLock();
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "package-lock.json changed during this test run (the tests); the change:\n" +
        "--- package-lock.json before\n+++ package-lock.json after\n" +
        '@@ -1,4 +1,4 @@\n {\n   "name": "fixture",\n-  "lockfileVersion": 3\n+  "lockfileVersion": 2\n }\n' +
        "commit the lock as npm ci installs it (npm install --package-lock-only --ignore-scripts) and run again\n",
    );
  });
});
