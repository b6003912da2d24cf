/**
 * Parses `git ls-tree -r -t -z --full-tree <sha>`: one line per blob and tree,
 * `<mode> SP <type> SP <hash> TAB <path>` ending in NUL (so no path quoting).
 */
import type { BlobMode, BlobRecord } from "./git-object-hash.js";

export interface TreeListing {
  blobs: BlobRecord[];
  /** Directory path to tree hash; the root is not listed by ls-tree. */
  trees: Record<string, string>;
}

const LINE = /^(\d{6}) (blob|tree|commit) ([0-9a-f]{40,64})\t(.+)$/s;
const BLOB_MODES = new Set<string>(["100644", "100755", "120000"]);

export function parseLsTree(output: string): TreeListing {
  const listing: TreeListing = { blobs: [], trees: {} };
  for (const record of output.split("\0")) {
    if (record === "") continue;
    const m = LINE.exec(record);
    if (!m) throw new Error(`unexpected git ls-tree output: ${JSON.stringify(record.slice(0, 200))}`);
    const [, mode, type, hash, path] = m as unknown as [string, string, string, string, string];
    if (type === "tree") listing.trees[path] = hash;
    // Submodules (type commit) are pointers to other repos, not content of this one.
    else if (type === "blob" && BLOB_MODES.has(mode)) listing.blobs.push({ path, mode: mode as BlobMode, hash });
  }
  return listing;
}
