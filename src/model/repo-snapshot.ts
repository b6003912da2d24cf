import type { RepoSource } from "./desired-state.js";

/**
 * The deploy repo at one commit, reduced to what config needs: the YAML files
 * and the content hash of every directory (git's tree hashes), so config stays
 * pure and build contexts are identified without reading them.
 */
export interface RepoSnapshot {
  source: RepoSource;
  /** `dockhand.yaml` and `apps/*.yaml`, by path relative to the repo root. */
  files: Record<string, string>;
  /** Directory path (no trailing slash, `""` for the root) to git tree hash. */
  trees: Record<string, string>;
  /**
   * The source repositories apps build from (`build.git`), read by the worker
   * before config runs, by `sourceKey(url, branch)`. Config stays pure: it only
   * looks them up, and reports a missing or failed one at the app's line.
   */
  sources?: Record<string, SourceSnapshot | SourceFailure>;
}

/** An app's own source repository at one commit: its directories' tree hashes, as for the deploy repo. */
export interface SourceSnapshot {
  url: string;
  /** The branch read (the repository's default branch when the app names none). */
  branch: string;
  sha: string;
  trees: Record<string, string>;
}

/** A source repository that could not be read; the message names the repository and what failed. */
export interface SourceFailure {
  url: string;
  error: string;
  /**
   * It could not be fetched (network, host down): the apps that build from it
   * are left as they run this time, not the whole config refused.
   */
  transient?: boolean;
}

/** `build.git` and `build.branch` as written (no branch: the repository's default branch). */
export interface SourceRef {
  url: string;
  branch?: string;
}

export function sourceKey(ref: SourceRef): string {
  return `${ref.url}#${ref.branch ?? ""}`;
}

/** Source commits to read instead of the branch heads (a pull request's head), by build.git URL. */
export type SourcePins = ReadonlyMap<string, string>;
