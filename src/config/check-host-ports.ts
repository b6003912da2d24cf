/**
 * Two apps cannot publish one fixed `hostPort` on one host. Apps whose
 * placements could put them on a common host claim the port there; the later
 * claim (by file) is the error, and names the first claim's file and hosts.
 */
import type { ConfigIssue } from "../model/index.js";
import type { HostCatalogue } from "./check-dockhand-file.js";
import { appLabel } from "./messages.js";
import { asMap, type RawMap, stringItems, stringValues } from "./raw.js";
import { issueAt, type YamlFile } from "./yaml-file.js";

interface Claim {
  app: string;
  at: ConfigIssue;
  hosts: string[];
}

export function hostPortIssues(
  apps: ReadonlyArray<{ file: YamlFile; raw: RawMap; env?: string }>,
  hosts: HostCatalogue | undefined,
): ConfigIssue[] {
  if (!hosts) return [];
  const claims = new Map<number, Claim[]>();
  const issues: ConfigIssue[] = [];
  for (const { file, raw, env } of apps) {
    const port = raw.hostPort;
    if (typeof port !== "number") continue;
    const name = typeof raw.name === "string" ? raw.name : file.path;
    const claim = { app: appLabel(name, env), at: issueAt(file, ["hostPort"], "") };
    const mine = eligibleHosts(raw, hosts);
    const earlier = claims.get(port) ?? [];
    for (const other of earlier) {
      const shared = other.hosts.filter((h) => mine.includes(h));
      if (shared.length === 0) continue;
      const where = `${other.at.file}:${other.at.line}:${other.at.column}`;
      const message = `hostPort ${port} is already claimed by ${other.app} (${where}) on ${plural("host", shared)} ${shared.join(", ")}; one port of a host publishes one app: choose another hostPort, or placements that share no host`;
      issues.push({ ...claim.at, message });
      break;
    }
    claims.set(port, [...earlier, { ...claim, hosts: mine }]);
  }
  return issues;
}

/** Hosts the raw placement allows (every host without one); unknown names are reported elsewhere. */
function eligibleHosts(raw: RawMap, hosts: HostCatalogue): string[] {
  const placement = asMap(raw.placement);
  const named = stringItems(placement?.hosts).map(([, name]) => name);
  const labels = Object.entries(stringValues(placement?.labels));
  return hosts.names.filter(
    (name) =>
      (named.length === 0 || named.includes(name)) &&
      labels.every(([key, value]) => hosts.labels[name]?.[key] === value),
  );
}

function plural(word: string, list: readonly unknown[]): string {
  return list.length === 1 ? word : `${word}s`;
}
