/**
 * The CLI's manners, on the real binary: every command's --help has
 * examples, errors go to stderr with exit 1, and colours appear only on a
 * terminal (a real pseudo-terminal from util-linux `script`) and never with
 * NO_COLOR.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXAMPLE_DIR } from "../../support/deploy-repo.js";
import { runCli } from "../../support/dockhand-process.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const COMMANDS = ["validate", "plan", "observe", "apply", "status", "logs", "rollback", "serve", "worker"];
const ESC = "\x1b[";
const tmp = mkdtempSync(join(tmpdir(), "dockhand-cli-"));

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("dockhand --help", () => {
  // One process per command, started together: each costs a Node start-up, not a test bed.
  it("shows a usage line and examples for every command, on stdout, exit 0", async () => {
    const results = await Promise.all(COMMANDS.map((command) => runCli([command, "--help"])));
    COMMANDS.forEach((command, i) => {
      const result = results[i];
      expect(result?.code, command).toBe(0);
      expect(result?.stderr, command).toBe("");
      expect(result?.stdout, command).toMatch(new RegExp(`^Usage: dockhand ${command}`));
      expect(result?.stdout, command).toMatch(/\nExamples?:\n {2}\$ (DOCKHAND_|REDIS_URL=)?.*dockhand /);
    });
  });

  it("lists every command in the top-level help", async () => {
    const result = await runCli(["--help"]);
    for (const command of COMMANDS) expect(result.stdout).toContain(`  ${command} `);
  });
});

describe("errors", () => {
  it("an unknown command: stderr, exit 1, nothing on stdout", async () => {
    const result = await runCli(["stauts"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("unknown command 'stauts'");
  });

  it("a usage error names the option and what would be right", async () => {
    const result = await runCli(["logs", "web", "--repo", EXAMPLE_DIR, "--since", "yesterday"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      'error: --since "yesterday": expected a duration like 10m, 1h30m, 45s, or a date like 2024-05-01T10:00:00Z\n',
    );
  });

  it("an invalid deploy repo: every problem on stderr, exit 1", async () => {
    const dir = join(tmp, "invalid");
    mkdirSync(dir);
    writeFileSync(join(dir, "dockhand.yaml"), "hosts: {}\nproxy: { driver: apache }\n");
    const result = await runCli(["status", "--repo", dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^invalid deploy repo \(\d+ problems?\):\ndockhand\.yaml:/);
  });
});

describe("colours", () => {
  const observed = join(tmp, "observed.json");
  const empty = (name: string) => ({ name, reachable: true, containers: [], images: [] });
  writeFileSync(observed, JSON.stringify({ hosts: [empty("alpha"), empty("beta")] }));
  const plan = ["plan", "--repo", EXAMPLE_DIR, "--observed", observed];

  it("are used on a terminal", async () => {
    const output = await onTerminal(plan, {});
    expect(output).toContain("+ create");
    expect(output).toContain(ESC);
  });

  it("are never used with NO_COLOR, even on a terminal", async () => {
    const output = await onTerminal(plan, { NO_COLOR: "1" });
    expect(output).toContain("+ create");
    expect(output).not.toContain(ESC);
  });

  it("are not used when stdout is not a terminal", async () => {
    const result = await runCli(plan, { NO_COLOR: undefined });
    expect(result.stdout).toContain("+ create");
    expect(result.stdout).not.toContain(ESC);
  });
});

/** Runs the CLI on a pseudo-terminal; returns what the terminal showed. */
function onTerminal(args: string[], env: Record<string, string>): Promise<string> {
  const quoted = ["node", "bin/dockhand.js", ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const { NO_COLOR: _drop, ...rest } = process.env;
  return new Promise((resolve, reject) => {
    execFile(
      "script",
      ["-qec", quoted, "/dev/null"],
      { cwd: ROOT, env: { ...rest, DOCKHAND_FROM_SOURCE: "1", TERM: "xterm", ...env } },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });
}
