/**
 * What the status branch says about one environment (issue 7): per app the
 * commit, spec, image and per slot the host, container and health, plus the
 * last outcome and when. Built from model types only; stable key order, so
 * the same state is the same text and git sees no change.
 */
import type {
  AppOutcomeStatus,
  AppSpec,
  DeployOutcome,
  DesiredState,
  ObservedContainer,
  ObservedState,
} from "../model/index.js";

export interface StatusSlot {
  slot: number;
  host: string;
  container: string;
  state: string;
  health: string;
}

/** Where a `build.git` app's image was built from. */
export interface StatusSource {
  repo: string;
  branch: string;
  /** The commit whose context the running image holds (the first one read with that context). */
  commit: string;
}

export interface StatusApp {
  /** Deploy repo commit the app's containers were made at. */
  commit: string;
  /** Set for an app built from its own repository (`build.git`). */
  source?: StatusSource;
  spec: string;
  image: string;
  replicas: number;
  hostnames: string[];
  /** The app's last rollout that did something, and when. */
  outcome: AppOutcomeStatus;
  at: string;
  slots: StatusSlot[];
}

export interface EnvironmentStatus {
  env: string;
  /** The deploy repo commit of the last sync that changed something. */
  commit: string;
  outcome: DeployOutcome["status"];
  at: string;
  apps: Record<string, StatusApp>;
}

export interface StatusInput {
  env: string;
  outcome: DeployOutcome;
  desired: DesiredState;
  /** What runs after the sync. */
  observed: ObservedState;
  /** Epoch ms. */
  finishedAt: number;
  /** The file as it is on the branch now, if any: unchanged apps keep their outcome and time. */
  previous?: EnvironmentStatus;
}

export function buildEnvironmentStatus(input: StatusInput): EnvironmentStatus {
  const at = new Date(input.finishedAt).toISOString();
  const containers = input.observed.hosts
    .flatMap((h) => h.containers)
    .filter((c) => c.env === input.env && c.retiredAt === undefined);
  const specs = new Map(input.desired.apps.filter((a) => a.env === input.env).map((a) => [a.name, a]));
  const names = [...new Set([...specs.keys(), ...containers.map((c) => c.app)])].sort();
  const outcomes = new Map(input.outcome.apps.filter((a) => a.env === input.env).map((a) => [a.app, a]));
  const apps: Record<string, StatusApp> = {};
  for (const name of names) {
    const mine = containers
      .filter((c) => c.app === name)
      .sort((a, b) => a.slot - b.slot || a.host.localeCompare(b.host));
    const spec = specs.get(name);
    const serving = mine.find((c) => c.specHash === spec?.specHash) ?? mine[0];
    if (!spec && mine.length === 0) continue;
    const done = outcomes.get(name);
    const before = input.previous?.apps[name];
    const fresh = done !== undefined && done.status !== "noop";
    const source = sourceOf(spec, before);
    apps[name] = {
      commit: serving?.commit ?? input.outcome.sha,
      ...(source ? { source } : {}),
      spec: serving?.specHash ?? spec?.specHash ?? "",
      image: spec?.image ?? serving?.image ?? "",
      replicas: spec?.replicas ?? 0,
      hostnames: spec?.hostnames ?? [],
      outcome: fresh ? done.status : (before?.outcome ?? done?.status ?? "noop"),
      at: fresh ? at : (before?.at ?? at),
      slots: mine.map(slotOf),
    };
  }
  return { env: input.env, commit: input.outcome.sha, outcome: input.outcome.status, at, apps };
}

/**
 * A later source commit that leaves the context as it was builds the same
 * image, so the record keeps the commit that image was first built from:
 * what runs is that commit's context, and the branch moving on is no change.
 */
function sourceOf(spec: AppSpec | undefined, before: StatusApp | undefined): StatusSource | undefined {
  const git = spec?.build?.git;
  if (!git) return undefined;
  if (before?.source?.repo === git.url && before.image === spec.image) return before.source;
  return { repo: git.url, branch: git.branch, commit: git.sha };
}

function slotOf(c: ObservedContainer): StatusSlot {
  return { slot: c.slot, host: c.host, container: c.name, state: c.state, health: c.health };
}

export function renderEnvironmentStatus(status: EnvironmentStatus): string {
  return `${JSON.stringify(status, null, 2)}\n`;
}

/** The file's text as written, or undefined when it is not one of ours. */
export function parseEnvironmentStatus(text: string | undefined): EnvironmentStatus | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as EnvironmentStatus;
    return typeof parsed === "object" && parsed !== null && typeof parsed.apps === "object" ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Whether two records say the same about what runs (the sync's own commit and time aside). */
export function sameApps(a: EnvironmentStatus | undefined, b: EnvironmentStatus): boolean {
  return a !== undefined && a.env === b.env && JSON.stringify(a.apps) === JSON.stringify(b.apps);
}
