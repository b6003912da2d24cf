/**
 * dockhand.yaml `environments` and `previews.base`: what the schema cannot
 * say. Promotion must name an environment that exists and end at one that
 * follows the branch (no loops), say when (after or manual, once), and
 * previews must be based on an environment that exists.
 */
import type { ConfigIssue } from "../model/index.js";
import { DEFAULTS } from "./defaults.js";
import { closestMatch } from "./messages.js";
import { asMap, type RawMap } from "./raw.js";
import { issueAt, type YamlFile } from "./yaml-file.js";

/** The environment names dockhand.yaml declares, as written (production alone when it names none). */
export function environmentNames(raw: RawMap): string[] {
  const envs = asMap(raw.environments);
  return envs ? Object.keys(envs) : [DEFAULTS.app.env];
}

export function environmentIssues(file: YamlFile, raw: RawMap): ConfigIssue[] {
  const envs = asMap(raw.environments);
  const names = environmentNames(raw);
  const issues = [...previewBaseIssues(file, raw, names)];
  if (!envs) return issues;
  const sources = new Map<string, string>();
  for (const [name, env] of Object.entries(envs)) {
    const promote = asMap(asMap(env)?.promote);
    if (!promote) continue;
    const at = (key: string, message: string, anchor: "key" | "value" = "value") =>
      issueAt(file, ["environments", name, "promote", ...(key ? [key] : [])], message, anchor);
    if (promote.after !== undefined && promote.manual === true)
      issues.push(at("manual", "give either after (promote automatically) or manual: true, not both", "key"));
    if (promote.after === undefined && promote.manual !== true)
      issues.push(
        at(
          "",
          "say when to promote: after: 10m (once the source ran the commit healthy that long) or manual: true",
          "key",
        ),
      );
    const from = promote.from;
    if (typeof from !== "string") continue;
    if (from === name)
      issues.push(at("from", `an environment cannot promote from itself; name another one (${others(names, name)})`));
    else if (!names.includes(from)) issues.push(at("from", unknownEnvironment(from, names)));
    else sources.set(name, from);
  }
  issues.push(...loopIssues(file, sources));
  if (names.every((name) => asMap(asMap(envs[name])?.promote))) {
    const message = "every environment promotes from another: at least one must follow the branch (give it {})";
    issues.push(issueAt(file, ["environments"], message, "key"));
  }
  return issues;
}

function previewBaseIssues(file: YamlFile, raw: RawMap, names: string[]): ConfigIssue[] {
  const base = asMap(raw.previews)?.base;
  if (typeof base !== "string" || names.includes(base)) return [];
  return [issueAt(file, ["previews", "base"], unknownEnvironment(base, names))];
}

/** staging ─▶ qa ─▶ staging would never deploy anything: each environment on a loop is named. */
function loopIssues(file: YamlFile, sources: Map<string, string>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const start of sources.keys()) {
    const seen = [start];
    let next = sources.get(start);
    while (next !== undefined && !seen.includes(next)) {
      seen.push(next);
      next = sources.get(next);
    }
    if (next !== start) continue;
    const message = `promotion goes round in a loop (${[...seen, start].join(" ─▶ ")}): one of them must follow the branch`;
    issues.push(issueAt(file, ["environments", start, "promote", "from"], message));
  }
  return issues;
}

export function unknownEnvironment(name: string, names: readonly string[]): string {
  const hint = closestMatch(name, names);
  const suggestion = hint ? `; did you mean "${hint}"?` : "";
  return `no environment "${name}" in dockhand.yaml (it has ${names.join(", ")})${suggestion}`;
}

function others(names: readonly string[], name: string): string {
  const rest = names.filter((n) => n !== name);
  return rest.length > 0 ? rest.join(", ") : "dockhand.yaml has no other";
}
