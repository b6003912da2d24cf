/**
 * RepoPort over a working directory as it is on disk, uncommitted edits
 * included (`dockhand plan --repo ./dir`). Tree hashes are computed the way
 * git computes them, so an unchanged build context has the same hash here as
 * in the commit that will later deploy it.
 */
import { readFile, readlink } from "node:fs/promises";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { DockhandError } from "../model/errors.js";
import type { RepoPort } from "../model/ports.js";
import type { RepoSnapshot } from "../model/repo-snapshot.js";
import { isDeployFile } from "./deploy-files.js";
import { type BlobRecord, computeTreeHashes, hashBlob } from "./git-object-hash.js";
import { normaliseDir } from "./git-repo.js";
import { listWorktree, type WorktreeFile } from "./list-worktree.js";
import { packFiles } from "./pack-directory.js";

/** RepoSnapshot.source.sha of a working directory: it has no commit. */
export const WORKTREE_SHA = "worktree";

export interface DirectoryRepoOptions {
  dir: string;
}

async function blobContent(file: WorktreeFile): Promise<Buffer> {
  // A symlink's blob is its target, as git stores it.
  return file.mode === "120000" ? Buffer.from(await readlink(file.absPath), "utf8") : readFile(file.absPath);
}

export class DirectoryRepo implements RepoPort {
  readonly dir: string;

  constructor(options: DirectoryRepoOptions) {
    if (!options.dir)
      throw new DockhandError("DOCKHAND_E_USAGE", "DirectoryRepo: dir is empty; give the deploy repo's directory");
    this.dir = resolve(options.dir);
  }

  async snapshot(ref?: string): Promise<RepoSnapshot> {
    if (ref !== undefined && ref !== WORKTREE_SHA) {
      throw new DockhandError(
        "DOCKHAND_E_USAGE",
        `${this.dir} is read as a working directory, which has no ref "${ref}"; read it as a git repo to use refs`,
      );
    }
    const files: Record<string, string> = {};
    const blobs: BlobRecord[] = [];
    for (const file of await this.list()) {
      const content = await blobContent(file);
      blobs.push({ path: file.path, mode: file.mode, hash: hashBlob(content) });
      if (file.mode !== "120000" && isDeployFile(file.path)) files[file.path] = content.toString("utf8");
    }
    return { source: { repo: this.dir, sha: WORKTREE_SHA }, files, trees: computeTreeHashes(blobs) };
  }

  /** A working directory has no history: nothing is older than anything. */
  async isAncestor(_ancestor: string, _descendant: string): Promise<boolean> {
    return false;
  }

  /** A working directory's one state. */
  async head(): Promise<string> {
    return WORKTREE_SHA;
  }

  /** A tar of `dir` as it is on disk now; `sha` is ignored (a working directory has one state). */
  contextTar(_sha: string, dir: string): Readable {
    const path = normaliseDir(dir);
    const prefix = path === "" ? "" : `${path}/`;
    const files = async (): Promise<WorktreeFile[]> => {
      const inside = (await this.list()).filter((f) => f.path.startsWith(prefix));
      if (inside.length === 0) throw new Error(`no files under ${path || "the root"}`);
      return inside.map((f) => ({ ...f, path: f.path.slice(prefix.length) }));
    };
    return packFiles(files, (err) =>
      err instanceof DockhandError
        ? err
        : new DockhandError("DOCKHAND_E_GIT", `could not read ${path || "the root"} in ${this.dir}: ${err.message}`, {
            cause: err,
          }),
    );
  }

  private async list(): Promise<WorktreeFile[]> {
    try {
      return await listWorktree(this.dir);
    } catch (err) {
      throw new DockhandError("DOCKHAND_E_GIT", `could not list the files of ${this.dir}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}
