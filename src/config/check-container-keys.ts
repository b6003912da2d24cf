/**
 * Relations inside an app's container keys that the schema cannot say: a
 * volume is a named volume or a bind (not both), each target is mounted once,
 * a secret is listed once and is not also a plain env var.
 */
import type { ConfigIssue } from "../model/index.js";
import { asMap, type RawMap, stringItems } from "./raw.js";
import { issueAt, type YamlFile } from "./yaml-file.js";

export function containerKeyIssues(file: YamlFile, raw: RawMap): ConfigIssue[] {
  return [...secretIssues(file, raw), ...volumeIssues(file, raw)];
}

function secretIssues(file: YamlFile, raw: RawMap): ConfigIssue[] {
  const env = asMap(raw.env) ?? {};
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const [index, name] of stringItems(raw.secrets)) {
    const path = ["secrets", index];
    if (seen.has(name)) issues.push(issueAt(file, path, `"${name}" is listed twice`));
    else if (name in env) {
      issues.push(issueAt(file, path, `"${name}" is both a secret and in env; keep one (secrets never live in git)`));
    }
    seen.add(name);
  }
  return issues;
}

function volumeIssues(file: YamlFile, raw: RawMap): ConfigIssue[] {
  if (!Array.isArray(raw.volumes)) return [];
  const targets = new Map<string, number>();
  const names = new Map<string, number>();
  const issues: ConfigIssue[] = [];
  raw.volumes.forEach((item, index) => {
    const volume = asMap(item);
    if (!volume) return;
    issues.push(...volumeShapeIssues(file, volume, index));
    const once = (seen: Map<string, number>, key: "target" | "name", what: (v: string) => string) => {
      const value = volume[key];
      if (typeof value !== "string") return;
      const first = seen.get(value);
      if (first === undefined) seen.set(value, index);
      else issues.push(issueAt(file, ["volumes", index, key], `${what(value)}; first at volumes.${first}`));
    };
    once(targets, "target", (t) => `"${t}" is mounted twice`);
    once(names, "name", (n) => `volume "${n}" is listed twice`);
  });
  return issues;
}

function volumeShapeIssues(file: YamlFile, volume: RawMap, index: number): ConfigIssue[] {
  const at = (key: string, message: string) => issueAt(file, ["volumes", index, key], message, "key");
  const hasName = volume.name !== undefined;
  const hasSource = volume.source !== undefined;
  if (hasName && hasSource) return [at("source", 'use either "name" (a named volume) or "source" (a bind), not both')];
  if (!hasName && !hasSource) {
    const message =
      'missing "name" or "source": a named volume (name: data) or a directory of the host (source: /srv/files)';
    return [issueAt(file, ["volumes", index], message)];
  }
  if (hasName) return [];
  const issues: ConfigIssue[] = [];
  if (volume.shared !== undefined) {
    issues.push(at("shared", "shared is for named volumes; a bind is one directory of each host already"));
  }
  if (volume.readOnly !== undefined) issues.push(at("readOnly", "binds are always read-only; leave readOnly out"));
  return issues;
}
