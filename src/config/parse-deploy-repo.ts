/**
 * The deploy repo at one commit ─▶ DesiredState, or a ConfigError with every
 * problem in every file (docs/deploy-repo.md). Pure: no disk, no clock.
 */
import {
  type AppSpec,
  type BuildSpec,
  ConfigError,
  type ConfigIssue,
  type DesiredState,
  type EnvironmentSpec,
  type HostSpec,
  type RegistrySpec,
  type RepoSnapshot,
  sourceKey,
  type VolumeSpec,
} from "../model/index.js";
import type { AppFile } from "./app-schema.js";
import { buildImageTag } from "./build-image-tag.js";
import { checkAcrossFiles } from "./check-across-files.js";
import { type CheckedAppFile, checkAppFile, isAppFilePath } from "./check-app-file.js";
import { checkDockhandFile, DOCKHAND_FILE } from "./check-dockhand-file.js";
import { computeSpecFields, computeSpecHash, specHashParts } from "./compute-spec-hash.js";
import { DEFAULTS } from "./defaults.js";
import type { DockhandFile } from "./dockhand-schema.js";
import { appInEnvironment, undeclaredEnvironmentIssues } from "./environment-apps.js";
import { registryImage } from "./registry-image.js";
import { rolloutStrategyOf, stackSettings } from "./stack-settings.js";
import { repoSizeIssues, YAML_LIMITS } from "./yaml-limits.js";

export function parseDeployRepo(snapshot: RepoSnapshot): DesiredState {
  // Too much YAML is refused before any of it is parsed (docs/deploy-repo.md#limits).
  const oversize = repoSizeIssues(snapshot.files, isAppFilePath);
  if (oversize.length > 0) throw new ConfigError(oversize);
  const dockhand = checkDockhandFile(snapshot.files[DOCKHAND_FILE]);
  const paths = Object.keys(snapshot.files).sort();
  const apps = paths.filter(isAppFilePath).map((path) => checkAppFile(path, snapshot.files[path] ?? ""));
  const declared = dockhand.environments ?? [DEFAULTS.app.env];
  const environments = declared.map((env) => ({
    env,
    apps: apps.flatMap((app) => appInEnvironment(app, env) ?? []),
  }));
  const issues = [
    ...dockhand.issues,
    ...apps.flatMap((app) => [...app.issues, ...undeclaredEnvironmentIssues(app, declared)]),
    // An app merged with an environment's overrides is checked again as a whole.
    ...environments.flatMap((e) => e.apps.flatMap((app) => (apps.includes(app) ? [] : app.issues))),
    ...paths.filter((path) => /^apps\/[^/]+\.yml$/.test(path)).map(ymlIssue),
    ...checkAcrossFiles(environments, dockhand.hosts, snapshot),
  ];
  if (issues.length > 0 || !dockhand.value) throw new ConfigError(firstPerFile(onePerPlace(sortIssues(issues))));
  const settings = toRepoSettings(dockhand.value);
  const specs = environments.flatMap(({ env, apps: envApps }) =>
    envApps.map((app) => toAppSpec(app, snapshot, settings.registry, env)),
  );
  return {
    source: { ...snapshot.source },
    ...settings,
    apps: specs.sort((a, b) => compare(a.name, b.name) || compare(a.env, b.env)),
  };
}

/**
 * A problem in an app's own keys is found again in each environment that
 * keeps them; an override's value is checked where it is written and where it
 * lands. Each is said once, with the fullest key path (sorted first).
 */
function onePerPlace(sorted: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return sorted.filter((issue) => {
    const key = `${issue.file}:${issue.line}:${issue.column}:${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** apps/*.yml would otherwise be silently skipped: a deploy that quietly lacks an app. */
function ymlIssue(path: string): ConfigIssue {
  const message = `dockhand reads apps/*.yaml only; rename this file to ${path.replace(/\.yml$/, ".yaml")}`;
  return { file: path, line: 1, column: 1, path: "", message };
}

/**
 * A file can hold tens of thousands of problems (a bad value on every line);
 * each becomes a log line, a line of the job's result and of the check run.
 * The first ones of each file say what is wrong; a count says how much more.
 */
function firstPerFile(sorted: readonly ConfigIssue[]): ConfigIssue[] {
  const limit = YAML_LIMITS.issuesPerFile;
  const totals = new Map<string, number>();
  for (const issue of sorted) totals.set(issue.file, (totals.get(issue.file) ?? 0) + 1);
  const seen = new Map<string, number>();
  const kept: ConfigIssue[] = [];
  for (const issue of sorted) {
    const index = seen.get(issue.file) ?? 0;
    seen.set(issue.file, index + 1);
    if (index < limit) kept.push(issue);
    if (index !== limit) continue;
    const more = (totals.get(issue.file) ?? 0) - limit;
    kept.push({
      ...issue,
      path: "",
      message: `and ${more} more problems in this file (the first ${limit} are listed)`,
    });
  }
  return kept;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort(
    (a, b) =>
      compare(a.file, b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      compare(a.path, b.path) ||
      compare(a.message, b.message),
  );
}

function toRepoSettings(
  file: DockhandFile,
): Pick<DesiredState, "hosts" | "proxy" | "previews" | "registry" | "status" | "environments"> {
  const hosts = Object.entries(file.hosts)
    .map(([name, host]): HostSpec => ({ name, ...host }))
    .sort((a, b) => compare(a.name, b.name));
  const environments = toEnvironments(file);
  const previews = file.previews && {
    domain: file.previews.domain,
    ttlMs: file.previews.ttl,
    maxActive: file.previews.maxActive,
    allowForks: file.previews.allowForks,
    // check-environments.ts made sure one environment follows the branch.
    base: file.previews.base ?? environments.find((e) => !e.promote)?.name ?? DEFAULTS.app.env,
  };
  return {
    hosts,
    proxy: { ...file.proxy },
    ...(previews ? { previews } : {}),
    ...(file.registry ? { registry: { ...file.registry } } : {}),
    status: { ...file.status },
    environments,
  };
}

function toEnvironments(file: DockhandFile): EnvironmentSpec[] {
  if (!file.environments) return [{ name: DEFAULTS.app.env }];
  return Object.entries(file.environments).map(([name, env]): EnvironmentSpec => {
    const promote = env.promote;
    if (!promote) return { name };
    return {
      name,
      promote: {
        from: promote.from,
        ...(promote.after !== undefined ? { afterMs: promote.after } : {}),
        ...(promote.manual ? { manual: true } : {}),
      },
    };
  });
}

function toAppSpec(
  checked: CheckedAppFile,
  snapshot: RepoSnapshot,
  registry: RegistrySpec | undefined,
  env: string,
): AppSpec {
  // parseDeployRepo only gets here when no file had a problem, so every app validated.
  const app = checked.value as AppFile;
  const build = app.build && toBuildSpec(app.build, snapshot);
  const image = build ? buildImage(app.name, build, registry) : (app.image ?? "");
  const { hosts, labels } = app.placement;
  const spec: Omit<AppSpec, "specHash" | "specFields"> = {
    name: app.name,
    env,
    file: checked.path,
    image,
    ...(build ? { build } : {}),
    replicas: app.replicas,
    ...stackSettings(app),
    hostnames: app.hostnames,
    health: {
      ...(app.health.path !== undefined ? { path: app.health.path } : {}),
      timeoutMs: app.health.timeout,
      withinMs: app.health.within,
      stableMs: app.health.stable,
    },
    rollout: {
      batch: app.rollout.batch,
      strategy: rolloutStrategyOf(app),
      drainMs: app.rollout.drain,
      retain: app.rollout.retain,
    },
    placement: {
      ...(hosts ? { hosts } : {}),
      ...(labels ? { labels } : {}),
      ...(app.placement.allowDataMove ? { allowDataMove: true } : {}),
    },
    ...containerSettings(app),
    ...(app.previews ? { previews: previewsOf(app.previews) } : {}),
  };
  const parts = specHashParts(spec);
  return { ...spec, specHash: computeSpecHash(parts), specFields: computeSpecFields(parts) };
}

/** A build's tag, under the registry's name when dockhand.yaml has one (pushed there, pulled by the other hosts). */
function buildImage(app: string, build: BuildSpec, registry: RegistrySpec | undefined): string {
  const tag = buildImageTag(app, build.contextHash, build.dockerfile, build);
  return registry ? registryImage(tag, registry) : tag;
}

function toBuildSpec(build: NonNullable<AppFile["build"]>, snapshot: RepoSnapshot): BuildSpec {
  const { context, dockerfile, args, target } = build;
  const extras = {
    ...(args && Object.keys(args).length > 0 ? { args } : {}),
    ...(target ? { target } : {}),
  };
  if (build.git === undefined) return { context, dockerfile, contextHash: snapshot.trees[context] ?? "", ...extras };
  // checkAcrossFiles reported a source that was not read, so here it was.
  const source = snapshot.sources?.[sourceKey({ url: build.git, branch: build.branch })];
  const read = source && !("error" in source) ? source : undefined;
  return {
    context,
    dockerfile,
    contextHash: read?.trees[context] ?? "",
    ...extras,
    git: { url: build.git, branch: read?.branch ?? build.branch ?? "", sha: read?.sha ?? "" },
    ...(source && "error" in source ? { unavailable: source.error } : {}),
  };
}

/** The container keys the app sets; a key left out stays out of the spec (and of its hash). */
function containerSettings(app: AppFile): Partial<AppSpec> {
  const { memory, cpus } = app.resources ?? {};
  const resources = {
    ...(memory !== undefined ? { memoryBytes: memory } : {}),
    ...(cpus !== undefined ? { cpus } : {}),
  };
  const volumes = app.volumes?.map(
    (v): VolumeSpec =>
      v.source !== undefined
        ? { kind: "bind", source: v.source, target: v.target }
        : {
            kind: "volume",
            name: v.name ?? "",
            target: v.target,
            shared: v.shared ?? false,
            readOnly: v.readOnly ?? false,
          },
  );
  const hooks = app.hooks && {
    ...(app.hooks.beforeDeploy ? { beforeDeploy: app.hooks.beforeDeploy } : {}),
    timeoutMs: app.hooks.timeout,
  };
  return {
    ...(app.secrets?.length ? { secrets: app.secrets } : {}),
    ...(hooks ? { hooks } : {}),
    ...(Object.keys(resources).length > 0 ? { resources } : {}),
    ...(volumes?.length ? { volumes } : {}),
    ...(app.command ? { command: app.command } : {}),
    ...(app.stopTimeout !== undefined ? { stopTimeoutMs: app.stopTimeout } : {}),
  };
}

function previewsOf(previews: NonNullable<AppFile["previews"]>): AppSpec["previews"] {
  return { enabled: previews.enabled, ...(previews.secrets?.length ? { secrets: previews.secrets } : {}) };
}
