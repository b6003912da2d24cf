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
}
