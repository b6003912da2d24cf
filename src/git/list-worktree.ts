/**
 * The files of a working directory that a commit of it would hold, with the
 * mode git would record. Inside a git work tree that is what
 * `git add -A` would stage (.gitignore honoured, so a local node_modules does
 * not change a build context's hash); elsewhere every file below the
 * directory except `.git`.
 */
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { BlobMode } from "./git-object-hash.js";
import { gitText } from "./run-git.js";

export interface WorktreeFile {
  /** Slash-separated, relative to the directory. */
  path: string;
  mode: BlobMode;
  absPath: string;
}

/** Git's mode for a file: only the owner's execute bit counts; directories and devices are not blobs. */
async function blobMode(absPath: string): Promise<BlobMode | undefined> {
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(absPath);
  } catch (err) {
    // Tracked but deleted in the work tree: `git add -A` would drop it too.
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  if (st.isSymbolicLink()) return "120000";
  if (st.isFile()) return st.mode & 0o100 ? "100755" : "100644";
  return undefined;
}

async function gitListed(dir: string): Promise<string[] | undefined> {
  try {
    if ((await gitText(dir, ["rev-parse", "--is-inside-work-tree"])).trim() !== "true") return undefined;
  } catch {
    return undefined;
  }
  const out = await gitText(dir, ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate"]);
  // A nested repository shows up as "name/" (untracked) or as a gitlink path; neither is a blob.
  return out.split("\0").filter((p) => p !== "" && !p.endsWith("/"));
}

async function walk(dir: string, prefix: string, out: string[]): Promise<void> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name === ".git") continue;
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) await walk(dir, path, out);
    else out.push(path);
  }
}

/** Every file, sorted by path, with the mode git would record. */
export async function listWorktree(dir: string): Promise<WorktreeFile[]> {
  let paths = await gitListed(dir);
  if (!paths) {
    paths = [];
    await walk(dir, "", paths);
  }
  const files: WorktreeFile[] = [];
  for (const path of [...new Set(paths)].sort()) {
    const absPath = join(dir, path);
    const mode = await blobMode(absPath);
    if (mode) files.push({ path, mode, absPath });
  }
  return files;
}
