/**
 * Picks the RepoPort for `--repo`/DOCKHAND_REPO: a directory holding
 * dockhand.yaml, with no ref asked for, is read as it is on disk (uncommitted
 * edits included); anything else (a URL, a bare repo, a ref) goes through git.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { ROOT_CONFIG_FILE } from "./deploy-files.js";
import { DirectoryRepo } from "./directory-repo.js";
import { GitRepo } from "./git-repo.js";
import { isRemoteUrl } from "./git-url.js";

export interface OpenRepoOptions {
  /** A git URL or a path. */
  repo: string;
  /** A branch, tag or sha; given, a directory is read through git at that ref. */
  ref?: string;
  /** The tracked branch of a git repo. Default "main". */
  branch?: string;
  /** Where GitRepo keeps its mirror. */
  cacheDir: string;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

export async function openRepo(options: OpenRepoOptions): Promise<GitRepo | DirectoryRepo> {
  const local = !isRemoteUrl(options.repo) && !options.repo.startsWith("file://");
  if (local && options.ref === undefined && (await isFile(join(options.repo, ROOT_CONFIG_FILE)))) {
    return new DirectoryRepo({ dir: options.repo });
  }
  return new GitRepo({ url: options.repo, branch: options.branch ?? "main", cacheDir: options.cacheDir });
}
