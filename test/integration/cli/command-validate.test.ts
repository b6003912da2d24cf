/**
 * `dockhand validate`, on the real binary: the text a person reads, and with
 * --json what CI reads: one object per problem (file, line, column, key,
 * message), the exit code the same either way.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_DIR } from "../../support/deploy-repo.js";
import { type CliResult, runCli } from "../../support/dockhand-process.js";

const tmp = mkdtempSync(join(tmpdir(), "dockhand-validate-"));
const invalid = join(tmp, "invalid");
const missing = join(tmp, "missing");
const runs = {} as Record<"valid" | "invalid" | "invalidText" | "missing", CliResult>;

// Every run at once: each costs a Node start-up (from source), not a test bed.
beforeAll(async () => {
  // deploy-repo-example with three problems in two files: a key given twice, a port out of range, an unknown key.
  cpSync(EXAMPLE_DIR, invalid, { recursive: true });
  writeFileSync(
    join(invalid, "apps", "web.yaml"),
    "name: web\nbuild: { context: services/web }\nport: 8080\nport: 8081\n",
  );
  writeFileSync(join(invalid, "apps", "api.yaml"), "name: api\nimage: busybox:stable\nport: 70000\nreplica: 2\n");
  const [valid, invalidJson, invalidText, unreadable] = await Promise.all([
    runCli(["validate", "--json", "--repo", EXAMPLE_DIR]),
    runCli(["validate", "--json", "--repo", invalid]),
    runCli(["validate", "--repo", invalid]),
    runCli(["validate", "--json", "--repo", missing]),
  ]);
  Object.assign(runs, { valid, invalid: invalidJson, invalidText, missing: unreadable });
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("dockhand validate --json", () => {
  it("a valid repo: valid, no problems, what it found; exit 0", () => {
    const result = runs.valid;
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      valid: true,
      problems: [],
      apps: 4,
      replicas: 7,
      hosts: 2,
      source: { repo: EXAMPLE_DIR, sha: "worktree" },
    });
  });

  it("an invalid repo: one object per problem with file, line, column, key and message; exit 1", () => {
    const result = runs.invalid;
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      valid: false,
      problems: [
        {
          file: "apps/api.yaml",
          line: 3,
          column: 7,
          key: "port",
          message: "expected a port number from 1 to 65535, got 70000",
        },
        {
          file: "apps/api.yaml",
          line: 4,
          column: 1,
          key: "replica",
          message:
            'unknown key; did you mean "replicas"? Allowed here: name, build, image, replicas, port, hostPort, hostnames, env, health, rollout, placement, secrets, hooks, resources, volumes, command, stopTimeout, previews, environments',
        },
        {
          file: "apps/web.yaml",
          line: 4,
          column: 1,
          key: "port",
          message: "port appears twice (first at line 3); keep one",
        },
      ],
    });
  });

  it("says the same problems as the text, which goes to stderr", () => {
    const { invalid: json, invalidText: text } = runs;
    expect(text.code).toBe(1);
    expect(text.stdout).toBe("");
    const problems = (JSON.parse(json.stdout) as { problems: Array<Record<string, unknown>> }).problems;
    expect(text.stderr).toBe(
      `invalid deploy repo (${problems.length} problems):\n${problems
        .map((p) => `${p.file}:${p.line}:${p.column} ${p.key}: ${p.message}\n`)
        .join("")}`,
    );
  });

  it("a repo that cannot be read is no config problem: the error on stderr as without --json, exit 1", () => {
    const result = runs.missing;
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^error: could not fetch /);
  });
});
