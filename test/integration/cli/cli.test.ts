/**
 * src/cli.ts on the real binary: `--version`, and which modules each command
 * loads. A command's modules load when it runs, so `--help` starts with
 * commander and cli.ts alone (docs/benchmarks.md#cli-start-up). What loaded is
 * recorded by a module resolve hook Node runs for every import (node:module
 * register), put in front through NODE_OPTIONS.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { EXAMPLE_DIR } from "../../support/deploy-repo.js";
import { runCli } from "../../support/dockhand-process.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const tmp = mkdtempSync(join(tmpdir(), "dockhand-cli-"));
const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HOOKS = `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.DOCKHAND_TEST_IMPORTS, result.url + "\\n");
  return result;
}`;
const dataUrl = (code: string) => `data:text/javascript,${encodeURIComponent(code)}`;
const REGISTER = `import { register } from "node:module"; register(${JSON.stringify(dataUrl(HOOKS))});`;

interface Loaded {
  code: number;
  /** The repository's own modules, relative to it (src/cli.ts). */
  own: string[];
  /** The packages imported from node_modules, by name. */
  packages: string[];
}

/** Runs dockhand (from source) and lists what it imported. */
async function imports(name: string, args: string[]): Promise<Loaded> {
  const file = join(tmp, `${name}.txt`);
  const result = await runCli(args, { NODE_OPTIONS: `--import ${dataUrl(REGISTER)}`, DOCKHAND_TEST_IMPORTS: file });
  const urls = readFileSync(file, "utf8").trim().split("\n");
  const paths = urls.filter((url) => url.startsWith("file:")).map((url) => fileURLToPath(url));
  const own = paths.filter((p) => !p.includes("/node_modules/")).map((p) => relative(ROOT, p));
  const packages = paths.flatMap((p) => {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p);
    return m?.[1] ? [m[1]] : [];
  });
  return { code: result.code, own: [...new Set(own)].sort(), packages: [...new Set(packages)].sort() };
}

describe("dockhand --version", () => {
  it("prints package.json's version, as -V too; exit 0", async () => {
    const [long, short] = await Promise.all([runCli(["--version"]), runCli(["-V"])]);
    expect(long).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    expect(short).toEqual(long);
  });

  it("is listed in the help", async () => {
    const result = await runCli(["--help"]);
    expect(result.stdout).toContain("  -V, --version ");
  });
});

describe("a command's modules load when it runs", () => {
  it("--help loads cli.ts, the error classes and commander: no command's modules", async () => {
    const loaded = await imports("help", ["--help"]);
    expect(loaded.code).toBe(0);
    expect(loaded.own).toEqual(["bin/dockhand.js", "src/cli.ts", "src/model/errors.ts", "src/runtime/cli-io.ts"]);
    // tsx (with its esbuild) runs the source here; the compiled CLI does without it.
    expect(loaded.packages.filter((p) => !["tsx", "esbuild", "get-tsconfig"].includes(p))).toEqual(["commander"]);
  });

  it("validate loads its own command and what reads the repo, not the Docker client, the queue or the server", async () => {
    const loaded = await imports("validate", ["validate", "--repo", EXAMPLE_DIR]);
    expect(loaded.code).toBe(0);
    expect(loaded.own).toContain("src/runtime/command-validate.ts");
    expect(loaded.own).toContain("src/config/parse-deploy-repo.ts");
    const others = loaded.own.filter((p) =>
      /^src\/(main\.ts|docker\/|proxy\/|webhook\/|http\/|runtime\/command-(?!validate))/.test(p),
    );
    expect(others).toEqual([]);
    expect(loaded.packages.filter((p) => ["dockerode", "bullmq", "fastify", "ioredis", "pino"].includes(p))).toEqual(
      [],
    );
  });
});
