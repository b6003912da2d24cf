/**
 * A pull request read as two configs: the tracked branch's, which decides
 * everything a pull request may touch, and the head's. A PR head is a
 * stranger's text (docs/security.md): it is parsed (pure) to report its
 * problems and plan its apps, but it names no host, source repository or
 * setting dockhand acts on before merge.
 */
import { DOCKHAND_FILE } from "../../config/index.js";
import {
  ConfigError,
  type DesiredState,
  type HostSpec,
  type OutcomeError,
  type PullRequestInfo,
  type RepoPort,
  type RepoSnapshot,
} from "../../model/index.js";
import { parseInThread } from "../sync/parse-in-thread.js";
import { pinsOf } from "../sync/source-reading-repo.js";

export interface PullRequestConfigs {
  /** The tracked branch's config. */
  base: DesiredState;
  /** The head as written (validated), for the PR's plan. */
  head: DesiredState;
  /**
   * The head's apps under the tracked branch's dockhand.yaml (hosts,
   * previews, registry, status), and the snapshot they were read from: what
   * a preview is made of. Absent with `trustedError` when the head's apps
   * need the head's own dockhand.yaml (a new host, say) to validate.
   */
  trusted?: { desired: DesiredState; snapshot: RepoSnapshot };
  trustedError?: OutcomeError;
}

export type ReadPullRequest = { configs: PullRequestConfigs } | { error: OutcomeError; base?: DesiredState };

export async function readPullRequest(pr: PullRequestInfo, repo: RepoPort): Promise<ReadPullRequest> {
  const baseSnapshot = await repo.snapshot();
  const base = await parse(baseSnapshot);
  if ("error" in base) {
    const message = `the tracked branch's config does not validate, so this pull request cannot be planned or previewed: ${base.error.message}`;
    return { error: { ...base.error, message } };
  }
  // A source repository's PR reads the tracked deploy repo with that repository at the head: its config is trusted.
  const headSnapshot = pr.source
    ? await repo.snapshot(undefined, pinsOf(pr))
    : await repo.snapshot(pr.headSha, undefined, trackedSourceUrls(base.desired));
  const head = await parse(headSnapshot);
  if ("error" in head) return { error: head.error, base: base.desired };
  const snapshot = withFile(headSnapshot, DOCKHAND_FILE, baseSnapshot.files[DOCKHAND_FILE]);
  const trusted = snapshot === headSnapshot ? head : await parse(snapshot);
  return {
    configs: {
      base: base.desired,
      head: head.desired,
      ...("error" in trusted ? { trustedError: trusted.error } : { trusted: { desired: trusted.desired, snapshot } }),
    },
  };
}

/** The build.git URLs the tracked branch already deploys from: the only ones a pull request's head may have fetched. */
export function trackedSourceUrls(base: DesiredState): ReadonlySet<string> {
  return new Set(base.apps.flatMap((app) => (app.build?.git ? [app.build.git.url] : [])));
}

/**
 * The head's hosts that a PR plan may contact: those the tracked branch names
 * with the same engine endpoint and TLS files. A host the head adds or points
 * elsewhere is not contacted before merge (else any PR could make dockhand
 * probe addresses and files of its choosing and print the answers).
 */
export function contactableHosts(head: readonly HostSpec[], base: readonly HostSpec[]): HostSpec[] {
  const known = new Map(base.map((h) => [h.name, h]));
  return head.filter((h) => {
    const b = known.get(h.name);
    return b !== undefined && b.docker === h.docker && JSON.stringify(b.tls) === JSON.stringify(h.tls);
  });
}

export const NOT_CONTACTED = "not contacted: a host a pull request adds or changes is reached only after merge";

function withFile(snapshot: RepoSnapshot, path: string, text: string | undefined): RepoSnapshot {
  if (snapshot.files[path] === text) return snapshot;
  const files = { ...snapshot.files };
  if (text === undefined) delete files[path];
  else files[path] = text;
  return { ...snapshot, files };
}

/** Parsed off the main thread: a PR head is a stranger's YAML (docs/security.md). */
async function parse(snapshot: RepoSnapshot): Promise<{ desired: DesiredState } | { error: OutcomeError }> {
  try {
    return { desired: await parseInThread(snapshot) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { error: { code: err.code, message: err.message, issues: err.issues } };
  }
}
