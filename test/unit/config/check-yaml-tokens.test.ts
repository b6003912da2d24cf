import { describe, expect, it } from "vitest";
import { checkYamlTokens } from "../../../src/config/check-yaml-tokens.js";
import { readYamlFile } from "../../../src/config/yaml-file.js";
import { type ConfigIssue, formatConfigIssue } from "../../../src/model/index.js";

const DEEP = "maps and lists nest deeper than 64 levels here; dockhand reads at most 64";
const ALIASES =
  "this is alias (*name) number 101 in the file; a file may have at most 100: write the values out instead";

function shown(issue: ConfigIssue | undefined): string | undefined {
  return issue && formatConfigIssue(issue);
}

function aliasLines(count: number): string {
  return `a: &a x\n${Array.from({ length: count }, (_, i) => `K${i + 1}: *a`).join("\n")}\n`;
}

describe("checkYamlTokens: refused from the lexer's tokens, before parsing", () => {
  it.each([
    { name: "flow lists 64 deep", yaml: `env: ${"[".repeat(64)}${"]".repeat(64)}\n`, expected: undefined },
    {
      name: "flow lists 65 deep",
      yaml: `env: ${"[".repeat(65)}${"]".repeat(65)}\n`,
      expected: `apps/x.yaml:1:70 ${DEEP}`,
    },
    {
      name: "flow maps and lists mixed, 65 deep on the third line",
      yaml: `a: 1\nb: 2\nc: ${"{k: [".repeat(33)}x${"]}".repeat(33)}\n`,
      expected: `apps/x.yaml:3:164 ${DEEP}`,
    },
    {
      name: "a megabyte of [ (the parser takes seconds on it)",
      yaml: `env: ${"[".repeat(999_000)}\n`,
      expected: `apps/x.yaml:1:70 ${DEEP}`,
    },
    {
      name: "brackets in quotes, comments and block scalars, which nest nothing",
      yaml: `a: "${"[".repeat(100)}"\nb: '${"{".repeat(100)}'\n# ${"[".repeat(100)}\nc: |\n  ${"[".repeat(100)}\n`,
      expected: undefined,
    },
    { name: "100 aliases", yaml: aliasLines(100), expected: undefined },
    { name: "101 aliases: the 101st", yaml: aliasLines(101), expected: `apps/x.yaml:102:7 ${ALIASES}` },
    { name: "8000 aliases: still the 101st", yaml: aliasLines(8000), expected: `apps/x.yaml:102:7 ${ALIASES}` },
    {
      name: "aliases in flow lists count too",
      yaml: `a: &a x\nb: [${Array(101).fill("*a").join(", ")}]\n`,
      expected: `apps/x.yaml:2:405 ${ALIASES}`,
    },
    {
      name: "asterisks that are not aliases",
      yaml: `a: "${"*a ".repeat(200)}"\n# ${"*b ".repeat(200)}\nc: |\n  ${"*c ".repeat(200)}\nd: x*y ${"*".repeat(200)}\n`,
      expected: undefined,
    },
  ])("$name", ({ yaml, expected }) => {
    expect(shown(checkYamlTokens("apps/x.yaml", yaml))).toBe(expected);
  });

  it("refuses the 95 kB alias file in milliseconds, not the minute the old alias walk took", () => {
    const yaml = aliasLines(9700);
    expect(yaml.length).toBeGreaterThan(95_000);
    const started = performance.now();
    expect(readYamlFile("apps/x.yaml", yaml).issues.map(formatConfigIssue)).toEqual([`apps/x.yaml:102:7 ${ALIASES}`]);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
