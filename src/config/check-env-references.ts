/**
 * References between apps (`${apps.db.host}`), checked across files: the app
 * must exist and have a `hostPort` (its fixed address is what a reference
 * names), and references must not form a cycle, since an app that others
 * reference rolls first and must be healthy before they do.
 */
import type { ConfigIssue } from "../model/index.js";
import { parseEnvValue, referencedApps } from "./env-references.js";
import { closestMatch } from "./messages.js";
import { asMap, type RawMap } from "./raw.js";
import { issueAt, type YamlFile } from "./yaml-file.js";

interface AppRefs {
  name: string;
  file: YamlFile;
  /** Env var ─▶ apps its value references. */
  refs: Array<{ env: string; apps: string[] }>;
}

export function referenceIssues(apps: ReadonlyArray<{ file: YamlFile; raw: RawMap }>): ConfigIssue[] {
  const known = new Map<string, RawMap>();
  for (const { raw } of apps) if (typeof raw.name === "string") known.set(raw.name, raw);
  const all = apps.map(({ file, raw }) => appRefs(file, raw));
  const issues = all.flatMap((app) =>
    app.refs.flatMap(({ env, apps: targets }) =>
      targets.flatMap((target) => {
        const message = targetProblem(target, known);
        return message ? [issueAt(app.file, ["env", env], message)] : [];
      }),
    ),
  );
  return [...issues, ...cycleIssues(all)];
}

function appRefs(file: YamlFile, raw: RawMap): AppRefs {
  const name = typeof raw.name === "string" ? raw.name : file.path;
  const refs = Object.entries(asMap(raw.env) ?? {}).flatMap(([env, value]) => {
    if (typeof value !== "string") return [];
    const parsed = parseEnvValue(value);
    return "parts" in parsed && referencedApps(parsed.parts).length > 0
      ? [{ env, apps: referencedApps(parsed.parts) }]
      : [];
  });
  return { name, file, refs };
}

function targetProblem(target: string, known: ReadonlyMap<string, RawMap>): string | undefined {
  const raw = known.get(target);
  if (raw === undefined) {
    const names = [...known.keys()].sort();
    const match = closestMatch(target, names);
    const hint = match ? `did you mean "${match}"? ` : "";
    return `\${apps.${target}.…}: no app named "${target}" in apps/; ${hint}apps: ${names.join(", ") || "none"}`;
  }
  if (raw.hostPort === undefined) {
    return `\${apps.${target}.…}: app "${target}" has no hostPort; a reference names an app's fixed address, so set hostPort in apps/${target}.yaml`;
  }
  return undefined;
}

/** Each cycle once, reported at the first reference of its alphabetically first app. */
function cycleIssues(apps: readonly AppRefs[]): ConfigIssue[] {
  const byName = new Map(apps.map((a) => [a.name, a]));
  const edges = (app: AppRefs) => [...new Set(app.refs.flatMap((r) => r.apps))].filter((n) => byName.has(n)).sort();
  const done = new Set<string>();
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  const visit = (name: string, path: string[]) => {
    const at = path.indexOf(name);
    if (at >= 0) {
      const cycle = path.slice(at);
      const first = [...cycle].sort()[0] as string;
      const start = cycle.indexOf(first);
      const ordered = [...cycle.slice(start), ...cycle.slice(0, start), first];
      const key = ordered.join(" → ");
      if (seen.has(key)) return;
      seen.add(key);
      const app = byName.get(first) as AppRefs;
      const next = ordered[1] as string;
      const ref = app.refs.find((r) => r.apps.includes(next)) ?? app.refs[0];
      const message = `references form a cycle: ${key}; an app that others reference rolls (and must be healthy) before them, so one of these must stop referencing the next`;
      issues.push(issueAt(app.file, ["env", ref?.env ?? ""], message));
      return;
    }
    if (done.has(name)) return;
    const app = byName.get(name);
    if (!app) return;
    for (const next of edges(app)) visit(next, [...path, name]);
    done.add(name);
  };
  for (const name of [...byName.keys()].sort()) visit(name, []);
  return issues;
}
