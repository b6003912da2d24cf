/**
 * Relations between the keys that make an app a web app, a worker or a
 * stateful service: hostnames, health.path and hostPort need a port;
 * start-first cannot keep a fixed host port; an env value that starts a
 * reference must be one. References across files are checked in
 * check-env-references.ts.
 */
import type { ConfigIssue } from "../model/index.js";
import { parseEnvValue } from "./env-references.js";
import { asMap, type RawMap } from "./raw.js";
import { issueAt, type YamlFile } from "./yaml-file.js";

export function stackKeyIssues(file: YamlFile, raw: RawMap): ConfigIssue[] {
  return [...portIssues(file, raw), ...strategyIssues(file, raw), ...envSyntaxIssues(file, raw)];
}

function portIssues(file: YamlFile, raw: RawMap): ConfigIssue[] {
  if (raw.port !== undefined) return [];
  const issues: ConfigIssue[] = [];
  if (Array.isArray(raw.hostnames) && raw.hostnames.length > 0) {
    const message =
      "hostnames need port: the proxy sends their requests to the port the container listens on; add port, or remove hostnames for a worker";
    issues.push(issueAt(file, ["hostnames"], message, "key"));
  }
  if (asMap(raw.health)?.path !== undefined) {
    const message =
      "health.path needs port: it is probed on the port the container listens on; add port, or remove health.path (a worker passes by running, or by its image's HEALTHCHECK)";
    issues.push(issueAt(file, ["health", "path"], message, "key"));
  }
  if (raw.hostPort !== undefined) {
    issues.push(
      issueAt(
        file,
        ["hostPort"],
        "hostPort needs port: it publishes the port the container listens on; add port",
        "key",
      ),
    );
  }
  return issues;
}

function strategyIssues(file: YamlFile, raw: RawMap): ConfigIssue[] {
  if (raw.hostPort === undefined || asMap(raw.rollout)?.strategy !== "start-first") return [];
  const message =
    "start-first cannot keep hostPort: the new container would need the host port the old one holds; use strategy: recreate (the default with hostPort), or remove hostPort";
  return [issueAt(file, ["rollout", "strategy"], message)];
}

function envSyntaxIssues(file: YamlFile, raw: RawMap): ConfigIssue[] {
  const env = asMap(raw.env) ?? {};
  return Object.entries(env).flatMap(([name, value]) => {
    if (typeof value !== "string") return [];
    const parsed = parseEnvValue(value);
    return "error" in parsed ? [issueAt(file, ["env", name], parsed.error)] : [];
  });
}
