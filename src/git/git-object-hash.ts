/**
 * Git's own object hashes (SHA-1 object format), computed in-process so a
 * working directory gets the same tree hashes a commit of it would: a build
 * context is identified by its tree hash whether it comes from git or disk.
 * Format: https://git-scm.com/book/en/v2/Git-Internals-Git-Objects
 */
import { createHash } from "node:crypto";

/** The modes git records for a blob: regular, executable, symlink. */
export type BlobMode = "100644" | "100755" | "120000";
export const TREE_MODE = "40000";

export interface TreeEntry {
  name: string;
  mode: BlobMode | typeof TREE_MODE;
  /** 40 hex digits. */
  hash: string;
}

/** A file of the tree, by slash-separated path relative to the root. */
export interface BlobRecord {
  path: string;
  mode: BlobMode;
  hash: string;
}

function hashObject(type: "blob" | "tree", body: Buffer): string {
  return createHash("sha1").update(`${type} ${body.length}\0`).update(body).digest("hex");
}

export function hashBlob(content: Buffer): string {
  return hashObject("blob", content);
}

/**
 * Git sorts tree entries by name bytes, comparing a subtree's name as if it
 * ended in "/": so "a.b" (file) sorts before "a" (tree) because "." < "/".
 */
export function compareTreeEntries(a: TreeEntry, b: TreeEntry): number {
  const key = (e: TreeEntry): Buffer => Buffer.from(e.mode === TREE_MODE ? `${e.name}/` : e.name, "utf8");
  return Buffer.compare(key(a), key(b));
}

export function hashTree(entries: readonly TreeEntry[]): string {
  const sorted = [...entries].sort(compareTreeEntries);
  const parts = sorted.map((e) =>
    Buffer.concat([Buffer.from(`${e.mode} ${e.name}\0`, "utf8"), Buffer.from(e.hash, "hex")]),
  );
  return hashObject("tree", Buffer.concat(parts));
}

interface DirNode {
  blobs: TreeEntry[];
  dirs: Map<string, DirNode>;
}

function insertBlob(root: DirNode, blob: BlobRecord): void {
  const parts = blob.path.split("/");
  const name = parts.pop();
  if (!name || parts.some((p) => p === "")) throw new Error(`invalid path in tree: "${blob.path}"`);
  let node = root;
  for (const part of parts) {
    let next = node.dirs.get(part);
    if (!next) {
      next = { blobs: [], dirs: new Map() };
      node.dirs.set(part, next);
    }
    node = next;
  }
  node.blobs.push({ name, mode: blob.mode, hash: blob.hash });
}

function hashNode(node: DirNode, path: string, out: Record<string, string>): string {
  const entries = [...node.blobs];
  for (const [name, child] of node.dirs) {
    const childPath = path === "" ? name : `${path}/${name}`;
    entries.push({ name, mode: TREE_MODE, hash: hashNode(child, childPath, out) });
  }
  const hash = hashTree(entries);
  out[path] = hash;
  return hash;
}

/**
 * The tree hash of every directory holding at least one blob (git has no
 * empty trees inside a commit), keyed by path with "" for the root.
 */
export function computeTreeHashes(blobs: readonly BlobRecord[]): Record<string, string> {
  const root: DirNode = { blobs: [], dirs: new Map() };
  for (const blob of blobs) insertBlob(root, blob);
  const out: Record<string, string> = {};
  hashNode(root, "", out);
  return out;
}
