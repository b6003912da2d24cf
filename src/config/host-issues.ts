/**
 * What a schema cannot say about dockhand.yaml's hosts: which one IP their
 * published ports bind to (docs/operations.md#published-ports), and one
 * engine written under two host names. Two names for one engine would make
 * every sync see each container twice and remove the "duplicates"; spellings
 * that only the engine can unmask (`local` and its socket path) are caught
 * when the hosts are observed (src/docker/docker-hosts.ts).
 */
import { posix } from "node:path";
import type { ConfigIssue } from "../model/index.js";
import { canonicalIp, isUnspecifiedIp } from "../model/index.js";
import { isAddress, isDockerEndpoint } from "./fields.js";
import { asMap, type RawMap } from "./raw.js";
import { issueAt, type YamlFile } from "./yaml-file.js";

export function hostIssues(file: YamlFile, raw: RawMap): ConfigIssue[] {
  const hosts = Object.entries(asMap(raw.hosts) ?? {}).map(([name, host]): [string, RawMap] => [
    name,
    asMap(host) ?? {},
  ]);
  return [...hosts.flatMap(([name, host]) => bindIssues(file, name, host)), ...sameEngineIssues(file, hosts)];
}

function bindIssues(file: YamlFile, name: string, host: RawMap): ConfigIssue[] {
  const { address, bindAddress } = host;
  if (bindAddress !== undefined) {
    if (typeof bindAddress !== "string" || !isUnspecifiedIp(bindAddress)) return [];
    return [issueAt(file, ["hosts", name, "bindAddress"], everyInterface(bindAddress))];
  }
  // A missing or malformed address is the schema's to report.
  if (typeof address !== "string" || !isAddress(address)) return [];
  if (isUnspecifiedIp(address)) return [issueAt(file, ["hosts", name, "address"], everyInterface(address))];
  if (canonicalIp(address) !== undefined) return [];
  const shown = JSON.stringify(address);
  const message =
    `${shown} is a host name, and published ports listen on one IP address: ` +
    `add bindAddress: <the IP ${shown} points to on this host>, e.g. bindAddress: 10.0.0.12`;
  return [issueAt(file, ["hosts", name, "address"], message)];
}

function everyInterface(ip: string): string {
  return (
    `${ip} is every interface of the host: published ports would be reachable around the proxy and the host's ` +
    "firewall; give the one IP address the proxy reaches this host at, like 10.0.0.12 (127.0.0.1 for this machine)"
  );
}

/** The second and later hosts written with an endpoint an earlier host has, each naming the first. */
function sameEngineIssues(file: YamlFile, hosts: Array<[string, RawMap]>): ConfigIssue[] {
  const first = new Map<string, { name: string; issue: ConfigIssue }>();
  const issues: ConfigIssue[] = [];
  for (const [name, host] of hosts) {
    const key = typeof host.docker === "string" ? engineKey(host.docker) : undefined;
    if (key === undefined) continue;
    const at = issueAt(file, ["hosts", name, "docker"], "");
    const seen = first.get(key);
    if (!seen) {
      first.set(key, { name, issue: at });
      continue;
    }
    const where = `${seen.issue.file}:${seen.issue.line}:${seen.issue.column}`;
    const message =
      `the same Docker engine as host ${seen.name} (${where}): one engine under two names is seen twice, ` +
      "and every sync would remove its containers as duplicates; give each engine one host";
    issues.push({ ...at, message });
  }
  return issues;
}

/**
 * One spelling per endpoint as written: unix paths without `//`, `.`, `..` or
 * a trailing slash; tcp hosts in lower case (IPs canonical), ports as numbers.
 */
export function engineKey(docker: string): string | undefined {
  if (!isDockerEndpoint(docker)) return undefined;
  if (docker === "local") return docker;
  if (docker.startsWith("unix://")) {
    const path = posix.normalize(docker.slice("unix://".length)).replace(/(.)\/+$/, "$1");
    return `unix://${path}`;
  }
  const match = /^tcp:\/\/(?:\[([^\]]+)\]|([^:/]+)):(\d+)$/.exec(docker);
  if (!match) return docker;
  const host = (match[1] ?? match[2] ?? "").toLowerCase();
  return `tcp://${canonicalIp(host) ?? host}:${Number(match[3])}`;
}
