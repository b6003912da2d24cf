/**
 * An app as one environment runs it: apps/<name>.yaml with
 * `environments.<env>` merged over its own keys (maps merged key by key,
 * lists and scalars replaced), or nothing when the environment says `false`.
 *
 * The merge is made on the YAML document, not on plain data: each node keeps
 * the position it was read at, so the merged app is validated with the same
 * checks as any app file, and a problem points at the line that set the value
 * (the override's line, or the app's own when the override left it alone).
 */
import { isMap, isScalar, type YAMLMap } from "yaml";
import type { ConfigIssue } from "../model/index.js";
import { type CheckedAppFile, checkAppYaml } from "./check-app-file.js";
import { unknownEnvironment } from "./check-environments.js";
import { asMap } from "./raw.js";
import { issueAt, type YamlFile } from "./yaml-file.js";

/** `undefined` when the app is left out of `env` (`environments: { <env>: false }`). */
export function appInEnvironment(app: CheckedAppFile, env: string): CheckedAppFile | undefined {
  const { file, raw } = app;
  if (!file || !raw) return app;
  const overrides = asMap(raw.environments);
  if (overrides?.[env] === false) return undefined;
  if (!overrides) return app;
  return checkAppYaml(mergedFile(file, env));
}

/** Overrides for environments dockhand.yaml does not declare would never apply: a typo, most likely. */
export function undeclaredEnvironmentIssues(app: CheckedAppFile, declared: readonly string[]): ConfigIssue[] {
  const { file, raw } = app;
  if (!file || !raw) return [];
  return Object.keys(asMap(raw.environments) ?? {})
    .filter((env) => !declared.includes(env))
    .map((env) => issueAt(file, ["environments", env], unknownEnvironment(env, declared), "key"));
}

function mergedFile(file: YamlFile, env: string): YamlFile {
  const doc = file.doc.clone();
  const root = doc.contents as YAMLMap;
  const override = root.get("environments", true) as unknown;
  root.delete("environments");
  if (isMap(override)) {
    const own = override.get(env, true) as unknown;
    if (isMap(own)) mergeInto(root, own);
  }
  return { path: file.path, doc, lines: file.lines };
}

function mergeInto(target: YAMLMap, override: YAMLMap): void {
  for (const pair of override.items) {
    if (!isScalar(pair.key)) continue;
    const key = pair.key.value;
    const current = target.get(key, true) as unknown;
    if (isMap(current) && isMap(pair.value)) mergeInto(current, pair.value);
    else target.set(pair.key, pair.value);
  }
}
