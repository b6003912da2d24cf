/**
 * The published package, as a user gets it: `npm pack` (its prepack builds
 * dist/), then `npm install -g ./dockhand-<version>.tgz` into a prefix of its
 * own, and the installed `dockhand` run from outside the repository with no
 * TypeScript and no tsx anywhere it could reach.
 *
 * No network: npm resolves the dependencies against a registry that serves the
 * lock's packages' metadata (test/support/lock-registry.ts) and takes each
 * tarball from its cache by the lock's integrity, where `npm ci` left it.
 * Install scripts are off (--ignore-scripts): dockhand needs none (they build
 * optional native speed-ups of ssh2 and msgpackr), and they cost most of an install.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_DIR } from "../../support/deploy-repo.js";
import type { CliResult } from "../../support/dockhand-process.js";
import { type LockRegistry, startLockRegistry } from "../../support/lock-registry.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
const tmp = mkdtempSync(join(tmpdir(), "dockhand-pack-"));
const prefix = join(tmp, "prefix");
const installed = join(prefix, "lib", "node_modules", "dockhand");
let registry: LockRegistry | undefined;
let packed: string[] = [];

/** The environment of someone who only has Node: no npm settings of the test run, no NODE_PATH or NODE_OPTIONS. */
const bareEnv = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: tmp, NO_COLOR: "1" };

function run(file: string, args: string[], cwd: string, env: Record<string, string> = bareEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** npm as the test runs it, less the settings an enclosing `npm test` put in the environment. */
function npmEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^npm_/i.test(key)) env[key] = value;
  }
  return env;
}

beforeAll(async () => {
  // What the package is made from, copied: npm pack builds dist/ where it runs, and the checkout's dist/ stays as it is.
  const source = join(tmp, "source");
  mkdirSync(source);
  for (const entry of ["package.json", "README.md", "tsconfig.json", "tsconfig.build.json", "bin", "src", "schema"]) {
    cpSync(join(ROOT, entry), join(source, entry), { recursive: true });
  }
  if (existsSync(join(ROOT, "LICENSE"))) cpSync(join(ROOT, "LICENSE"), join(source, "LICENSE"));
  symlinkSync(join(ROOT, "node_modules"), join(source, "node_modules"));
  const pack = await run("npm", ["pack", "--json", "--pack-destination", tmp, "--loglevel=error"], source, npmEnv());
  // stderr has the prepack script's banner (npm prints it there with --json), and any error.
  expect(pack.code, pack.stderr).toBe(0);
  expect(pack.stderr).toContain("> npm run build");
  const [result] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("["))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  packed = (result?.files ?? []).map((f) => f.path).sort();

  registry = await startLockRegistry(join(ROOT, "package-lock.json"));
  const install = await run(
    "npm",
    [
      "install",
      "--global",
      join(tmp, result?.filename ?? ""),
      "--prefix",
      prefix,
      "--registry",
      registry.url,
      "--prefer-offline",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
    ],
    tmp,
    npmEnv(),
  );
  expect(install.stderr).toBe("");
  expect(install.code).toBe(0);
}, 180_000);

afterAll(async () => {
  await registry?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("npm pack", () => {
  it("ships compiled JavaScript, the bin, the schemas, README and package.json; no TypeScript, tests or maps", () => {
    expect(packed).toContain("dist/cli.js");
    // The YAML thread's entry: loaded by URL at run time, so only a run of validate (below) shows it works.
    expect(packed).toContain("dist/worker/sync/parse-thread.js");
    expect(packed).toEqual(expect.arrayContaining(["bin/dockhand.js", "package.json", "README.md"]));
    expect(packed).toEqual(expect.arrayContaining(["schema/app.schema.json", "schema/dockhand.schema.json"]));
    const unexpected = packed.filter(
      (path) =>
        !/^(dist\/.+\.js|bin\/dockhand\.js|schema\/[a-z]+\.schema\.json|package\.json|README\.md|LICENSE)$/.test(path),
    );
    expect(unexpected).toEqual([]);
  });
});

describe("npm install -g ./dockhand-<version>.tgz", () => {
  it("installs no TypeScript and no tsx: neither can be reached from the package", () => {
    const modules = readdirSync(join(installed, "node_modules"));
    expect(modules).toContain("commander");
    expect(modules.filter((name) => ["tsx", "typescript", "esbuild", "vitest"].includes(name))).toEqual([]);
    const require = createRequire(join(installed, "bin", "dockhand.js"));
    expect(() => require.resolve("tsx")).toThrow(/Cannot find module 'tsx'/);
    expect(() => require.resolve("typescript")).toThrow(/Cannot find module 'typescript'/);
  });

  it("gives a dockhand on the prefix's PATH that says its version", async () => {
    const [long, short] = await Promise.all([
      run(join(prefix, "bin", "dockhand"), ["--version"], tmp),
      run(join(prefix, "bin", "dockhand"), ["-V"], tmp),
    ]);
    expect(long).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    expect(short).toEqual(long);
  });

  it("validates deploy-repo-example from the compiled code (the YAML parse in its thread included)", async () => {
    const result = await run(join(prefix, "bin", "dockhand"), ["validate", "--repo", EXAMPLE_DIR], tmp);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(`ok: 4 apps, 7 replicas, 2 hosts (${EXAMPLE_DIR} at worktree)\n`);
    expect(result.code).toBe(0);
  });
});
