/**
 * Checks that need more than one file: build contexts against the repo's trees,
 * placement against dockhand.yaml's hosts, hostnames claimed by one app only.
 * They read the raw data, so an app with a bad port still gets its duplicate
 * hostname reported in the same run.
 */
import { type ConfigIssue, type RepoSnapshot, type SourceRef, sourceKey } from "../model/index.js";
import { type CheckedAppFile, isAppFilePath } from "./check-app-file.js";
import type { HostCatalogue } from "./check-dockhand-file.js";
import { referenceIssues } from "./check-env-references.js";
import { hostPortIssues } from "./check-host-ports.js";
import { isBranchName, isRepoDirectory, isSourceRepoUrl, normaliseRepoDirectory } from "./fields.js";
import { appLabel, closestMatch } from "./messages.js";
import { asMap, stringItems, stringValues } from "./raw.js";
import { issueAt, readYamlFile, toData, type YamlFile } from "./yaml-file.js";
import { repoSizeIssues } from "./yaml-limits.js";

type ReadApp = Required<Pick<CheckedAppFile, "file" | "raw">> & {
  /** The environment, named in messages when the repo has more than one. */
  env?: string;
};

/** The apps of one environment, each merged with that environment's overrides (environment-apps.ts). */
export interface EnvironmentApps {
  env: string;
  apps: readonly CheckedAppFile[];
}

/**
 * Apps refer to each other and to hosts within their environment; hostnames
 * and fixed host ports are claimed across all of them (two environments never
 * share a hostname, and one host port publishes one container).
 */
export function checkAcrossFiles(
  environments: readonly EnvironmentApps[],
  hosts: HostCatalogue | undefined,
  snapshot: RepoSnapshot,
): ConfigIssue[] {
  const named = environments.length > 1;
  const perEnv = environments.map(({ env, apps }) =>
    apps
      .filter((app): app is CheckedAppFile & ReadApp => app.file !== undefined && !!app.raw)
      .map((app): ReadApp => ({ file: app.file, raw: app.raw, ...(named ? { env } : {}) })),
  );
  const all = perEnv.flat();
  const perApp = all.flatMap((app) => [...contextIssues(app, snapshot), ...(hosts ? placementIssues(app, hosts) : [])]);
  return [
    ...perApp,
    ...hostnameIssues(all),
    ...hostPortIssues(all, hosts),
    ...perEnv.flatMap((apps) => referenceIssues(apps)),
  ];
}

function contextIssues({ file, raw }: ReadApp, snapshot: RepoSnapshot): ConfigIssue[] {
  const build = asMap(raw.build);
  if (!build) return [];
  const source = sourceOf(build);
  if (source === "invalid") return [];
  if (source === undefined && build.branch !== undefined) {
    return [
      issueAt(file, ["build", "branch"], "build.branch needs build.git: the deploy repo's branch is set by the deploy"),
    ];
  }
  const context = build.context;
  if (typeof context !== "string" || !isRepoDirectory(context)) return [];
  const dir = normaliseRepoDirectory(context);
  if (source === undefined) {
    if (snapshot.trees[dir] !== undefined) return [];
    const message = `no directory "${dir}" in the repo at ${snapshot.source.sha.slice(0, 7)}`;
    return [issueAt(file, ["build", "context"], message)];
  }
  const read = snapshot.sources?.[sourceKey(source)];
  if (read === undefined)
    return [issueAt(file, ["build", "git"], `${source.url} was not read (dockhand reads build.git before validating)`)];
  // A fetch that failed is no fault of the config: the app is left out of this sync instead (BuildSpec.unavailable).
  if ("error" in read) return read.transient ? [] : [issueAt(file, ["build", "git"], read.error)];
  if (read.trees[dir] !== undefined) return [];
  const message = `no directory "${dir || "."}" in ${source.url} at ${read.sha.slice(0, 7)} (branch ${read.branch})`;
  return [issueAt(file, ["build", "context"], message)];
}

/** The build's source repository as written; "invalid" when its keys will fail validation anyway. */
function sourceOf(build: Record<string, unknown>): SourceRef | "invalid" | undefined {
  if (build.git === undefined) return undefined;
  if (typeof build.git !== "string" || !isSourceRepoUrl(build.git)) return "invalid";
  if (build.branch !== undefined && (typeof build.branch !== "string" || !isBranchName(build.branch))) return "invalid";
  return { url: build.git, ...(typeof build.branch === "string" ? { branch: build.branch } : {}) };
}

/**
 * Every source repository the apps build from, as written, read from the raw
 * YAML before validation: the worker fetches these, then validates with them.
 * Broken files (and a repo over the size limits) are skipped here, never
 * thrown on, and reported by the validation that follows.
 */
export function listSources(snapshot: RepoSnapshot): SourceRef[] {
  if (repoSizeIssues(snapshot.files, isAppFilePath).length > 0) return [];
  const found = new Map<string, SourceRef>();
  for (const path of Object.keys(snapshot.files).filter(isAppFilePath).sort()) {
    const source = buildSourceOf(path, snapshot.files[path] ?? "");
    if (source && source !== "invalid") found.set(sourceKey(source), source);
  }
  return [...found.values()];
}

/** Only the YAML is read here (no validation): the parse that follows validates each file once. */
function buildSourceOf(path: string, text: string): ReturnType<typeof sourceOf> {
  const { file, issues } = readYamlFile(path, text);
  if (issues.length > 0) return undefined;
  try {
    const build = asMap(asMap(toData(file))?.build);
    return build && sourceOf(build);
  } catch {
    return undefined;
  }
}

function placementIssues({ file, raw }: ReadApp, hosts: HostCatalogue): ConfigIssue[] {
  const placement = asMap(raw.placement);
  if (!placement) return [];
  const named = stringItems(placement.hosts);
  const issues = named.flatMap(([index, name]) => hostNameIssues(file, hosts, named, index, name));
  if (placement.labels !== undefined) {
    const known = [...new Set(named.map(([, name]) => name))].filter((name) => hosts.names.includes(name));
    issues.push(...labelIssues(file, hosts, stringValues(placement.labels), named.length > 0 ? known : hosts.names));
  }
  return issues;
}

function hostNameIssues(
  file: YamlFile,
  hosts: HostCatalogue,
  named: Array<[number, string]>,
  index: number,
  name: string,
): ConfigIssue[] {
  const path = ["placement", "hosts", index];
  const first = named.find(([, other]) => other === name)?.[0];
  if (first !== undefined && first < index) return [issueAt(file, path, `"${name}" is listed twice`)];
  if (hosts.names.includes(name)) return [];
  const match = closestMatch(name, hosts.names);
  const hint = match ? `did you mean "${match}"? ` : "";
  const message = `no host named "${name}" in dockhand.yaml; ${hint}hosts: ${hosts.names.join(", ") || "none"}`;
  return [issueAt(file, path, message)];
}

function labelIssues(
  file: YamlFile,
  hosts: HostCatalogue,
  wanted: Record<string, string>,
  candidates: string[],
): ConfigIssue[] {
  const entries = Object.entries(wanted);
  if (entries.length === 0) return [];
  const fits = candidates.some((name) => entries.every(([key, value]) => hosts.labels[name]?.[key] === value));
  if (fits) return [];
  const have = candidates.map((name) => `${name} has ${formatLabels(hosts.labels[name] ?? {})}`).join(", ");
  const message = `no host has all of the labels ${formatLabels(wanted)}${have ? `; ${have}` : ""}`;
  return [issueAt(file, ["placement", "labels"], message)];
}

function formatLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? "none" : entries.map(([key, value]) => `${key}=${value}`).join(" ");
}

/** Later claims of a hostname are the errors; the message points at the first claim. */
function hostnameIssues(apps: readonly ReadApp[]): ConfigIssue[] {
  const claims = new Map<string, { app: string; env?: string; at: ConfigIssue }>();
  const issues: ConfigIssue[] = [];
  for (const { file, raw, env } of apps) {
    const app = typeof raw.name === "string" ? raw.name : file.path;
    for (const [index, hostname] of stringItems(raw.hostnames)) {
      const here = issueAt(file, ["hostnames", index], "");
      const first = claims.get(hostname);
      if (!first) {
        claims.set(hostname, { app, ...(env ? { env } : {}), at: here });
        continue;
      }
      const where = `${first.at.file}:${first.at.line}:${first.at.column}`;
      let message: string;
      const fix = `two environments never share a hostname: give ${env} its own under environments.${env}.hostnames`;
      if (first.env !== env && first.at.line === here.line && first.at.file === here.file)
        message = `"${hostname}" would be served in both ${first.env} and ${env}; ${fix}`;
      else if (first.env !== env)
        message = `"${hostname}" is already served by ${appLabel(first.app, first.env)} (${where}); ${fix}`;
      else if (first.at.file === file.path) message = `"${hostname}" is listed twice; first at ${where}`;
      else
        message = `"${hostname}" is already claimed by ${appLabel(first.app, env)} (${where}); a hostname routes to one app`;
      issues.push({ ...here, message });
    }
  }
  return issues;
}
