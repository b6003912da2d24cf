/**
 * dockhand.yaml: schema plus the relations a schema cannot say.
 */
import type { ConfigIssue } from "../model/index.js";
import { environmentIssues, environmentNames } from "./check-environments.js";
import { DOCKHAND_KEYS_NOT_SUPPORTED_YET } from "./defaults.js";
import { type DockhandFile, dockhandFileSchema } from "./dockhand-schema.js";
import { hostIssues } from "./host-issues.js";
import { asMap, type RawMap, stringValues } from "./raw.js";
import { validateFile } from "./validate-file.js";
import { issueAt, type YamlFile } from "./yaml-file.js";

export const DOCKHAND_FILE = "dockhand.yaml";

/** What apps may refer to: host names and their labels, read even from a dockhand.yaml with problems. */
export interface HostCatalogue {
  names: string[];
  labels: Record<string, Record<string, string>>;
}

export interface CheckedDockhandFile {
  issues: ConfigIssue[];
  value?: DockhandFile;
  /** Undefined when dockhand.yaml is missing or unreadable: cross-file host checks are then skipped. */
  hosts?: HostCatalogue;
  /** The environments declared, as written (production alone when none are); undefined when unreadable. */
  environments?: string[];
}

export function checkDockhandFile(source: string | undefined): CheckedDockhandFile {
  if (source === undefined) {
    const message = "missing: the deploy repo needs a dockhand.yaml at its root that defines hosts";
    return { issues: [{ file: DOCKHAND_FILE, line: 1, column: 1, path: "", message }] };
  }
  const checked = validateFile(DOCKHAND_FILE, source, {
    schema: dockhandFileSchema,
    notSupportedYet: DOCKHAND_KEYS_NOT_SUPPORTED_YET,
    emptyMessage:
      "the file is empty; it needs at least hosts, e.g. hosts: { alpha: { docker: local, address: 127.0.0.1 } }",
    rootWhat: "a map with keys hosts, proxy, previews, registry, status, environments",
    verbatimMaps: (raw) => Object.keys(asMap(raw.hosts) ?? {}).map((name) => ["hosts", name, "labels"]),
  });
  if (!checked.file || !checked.raw) return { issues: checked.issues };
  const issues = [
    ...checked.issues,
    ...transportIssues(checked.file, checked.raw),
    ...hostIssues(checked.file, checked.raw),
    ...proxyTlsIssues(checked.file, checked.raw),
    ...environmentIssues(checked.file, checked.raw),
  ];
  const environments = environmentNames(checked.raw);
  return { issues, value: checked.value, hosts: catalogue(checked.raw), environments };
}

/** tls belongs to tcp:// (an ssh:// host is secured by SSH), socket to ssh:// (the engine's socket over there). */
function transportIssues(file: YamlFile, raw: RawMap): ConfigIssue[] {
  return Object.entries(asMap(raw.hosts) ?? {}).flatMap(([name, host]) => {
    const { docker, tls, socket } = asMap(host) ?? {};
    if (typeof docker !== "string") return [];
    const shown = JSON.stringify(docker);
    const issues: ConfigIssue[] = [];
    if (tls !== undefined && docker.startsWith("ssh://")) {
      const message = `tls is only for docker: tcp://host:port; SSH secures this host (docker: ${shown}): remove tls`;
      issues.push(issueAt(file, ["hosts", name, "tls"], message, "key"));
    } else if (tls !== undefined && !docker.startsWith("tcp://")) {
      const message = `tls is only for docker: tcp://host:port; this host has docker: ${shown}`;
      issues.push(issueAt(file, ["hosts", name, "tls"], message, "key"));
    }
    if (socket !== undefined && !docker.startsWith("ssh://")) {
      const message = `socket is only for docker: ssh://user@host[:port] (the engine's socket on that machine); this host has docker: ${shown}`;
      issues.push(issueAt(file, ["hosts", name, "socket"], message, "key"));
    }
    return issues;
  });
}

/**
 * HTTPS comes from one source, and each driver takes one kind: the built-in
 * proxy certificate files (and redirects), Caddy an ACME server. nginx has
 * neither yet.
 */
function proxyTlsIssues(file: YamlFile, raw: RawMap): ConfigIssue[] {
  const { driver = "builtin", tls } = asMap(raw.proxy) ?? {};
  const keys = asMap(tls);
  if (!keys) return [];
  const shown = JSON.stringify(driver);
  const at = (key: string, message: string) => issueAt(file, ["proxy", "tls", key], message, "key");
  if (keys.acme !== undefined && keys.certificates !== undefined) {
    return [at("acme", "give either certificates (driver: builtin) or acme (driver: caddy), not both")];
  }
  if (keys.acme === undefined && keys.certificates === undefined) {
    const message = "HTTPS needs certificates (files, driver: builtin) or acme (an ACME server, driver: caddy)";
    return [issueAt(file, ["proxy", "tls"], message, "key")];
  }
  const issues: ConfigIssue[] = [];
  if (keys.acme !== undefined && driver !== "caddy") {
    issues.push(at("acme", `tls.acme (automatic HTTPS) needs driver: caddy; this proxy has driver: ${shown}`));
  }
  if (keys.certificates !== undefined && driver !== "builtin") {
    issues.push(at("certificates", `tls.certificates needs driver: builtin; this proxy has driver: ${shown}`));
  }
  if (keys.redirect === true && driver !== "builtin") {
    issues.push(at("redirect", `tls.redirect needs driver: builtin; this proxy has driver: ${shown}`));
  }
  return issues;
}

function catalogue(raw: RawMap): HostCatalogue | undefined {
  const hosts = asMap(raw.hosts);
  if (!hosts) return undefined;
  const labels: Record<string, Record<string, string>> = {};
  for (const [name, host] of Object.entries(hosts)) labels[name] = stringValues(asMap(host)?.labels);
  return { names: Object.keys(hosts).sort(), labels };
}
