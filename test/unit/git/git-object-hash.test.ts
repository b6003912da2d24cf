import { describe, expect, it } from "vitest";
import {
  type BlobRecord,
  compareTreeEntries,
  computeTreeHashes,
  hashBlob,
  hashTree,
  TREE_MODE,
  type TreeEntry,
} from "../../../src/git/git-object-hash.js";

// Expected values are what `git hash-object` / `git mktree` print for the same input.
describe("hashBlob", () => {
  it.each([
    ["empty", "", "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"],
    ["hello\\n", "hello\n", "ce013625030ba8dba906f756967f9e9ca394464a"],
    ["what is up, doc?", "what is up, doc?", "bd9dbf5aae1a3862dd1526723246b20206e5fc37"],
  ])("%s", (_name, content, expected) => {
    expect(hashBlob(Buffer.from(content))).toBe(expected);
  });
});

describe("hashTree", () => {
  it("gives git's empty tree for no entries", () => {
    expect(hashTree([])).toBe("4b825dc642cb6eb9a060e54bf8d69288fbee4904");
  });

  it("matches git mktree for one file (printf '100644 blob ce01...\\thello.txt' | git mktree)", () => {
    const entries: TreeEntry[] = [
      { name: "hello.txt", mode: "100644", hash: "ce013625030ba8dba906f756967f9e9ca394464a" },
    ];
    expect(hashTree(entries)).toBe("aaa96ced2d9a1c8e72c56b253a0e2fe78393feb7");
  });

  it("does not depend on the order entries are given in", () => {
    const a: TreeEntry = { name: "a", mode: "100644", hash: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391" };
    const b: TreeEntry = { name: "b", mode: "100755", hash: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391" };
    expect(hashTree([a, b])).toBe(hashTree([b, a]));
  });
});

describe("compareTreeEntries sorts like git", () => {
  const file = (name: string): TreeEntry => ({ name, mode: "100644", hash: "0".repeat(40) });
  const tree = (name: string): TreeEntry => ({ name, mode: TREE_MODE, hash: "0".repeat(40) });
  it.each<[string, TreeEntry[], string[]]>([
    ["file a.b before tree a ('.' < '/')", [tree("a"), file("a.b")], ["a.b", "a"]],
    ["tree a before file a0 ('/' < '0')", [file("a0"), tree("a")], ["a", "a0"]],
    ["file a before file a.b (prefix first)", [file("a.b"), file("a")], ["a", "a.b"]],
    ["file a-b before tree a ('-' < '/')", [tree("a"), file("a-b")], ["a-b", "a"]],
    ["bytes, not locale: Z before a", [file("a"), file("Z")], ["Z", "a"]],
    ["UTF-8 bytes: z before é", [file("é"), file("z")], ["z", "é"]],
  ])("%s", (_name, input, expected) => {
    expect([...input].sort(compareTreeEntries).map((e) => e.name)).toEqual(expected);
  });
});

describe("computeTreeHashes", () => {
  const empty = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
  it.each<[string, BlobRecord[], string[]]>([
    ["no files: only the root", [], [""]],
    ["one nested file: every ancestor", [{ path: "a/b/c.txt", mode: "100644", hash: empty }], ["", "a", "a/b"]],
    [
      "siblings share a parent",
      [
        { path: "x/1", mode: "100644", hash: empty },
        { path: "x/2", mode: "100644", hash: empty },
        { path: "y", mode: "100644", hash: empty },
      ],
      ["", "x"],
    ],
  ])("%s", (_name, blobs, dirs) => {
    expect(Object.keys(computeTreeHashes(blobs)).sort()).toEqual(dirs);
  });

  it("hashes a directory as the tree of its own entries", () => {
    const trees = computeTreeHashes([
      { path: "d/hello.txt", mode: "100644", hash: "ce013625030ba8dba906f756967f9e9ca394464a" },
    ]);
    expect(trees.d).toBe("aaa96ced2d9a1c8e72c56b253a0e2fe78393feb7");
    expect(trees[""]).toBe(hashTree([{ name: "d", mode: TREE_MODE, hash: trees.d! }]));
  });

  it.each(["", "/abs", "a//b", "dir/"])("rejects the path %j", (path) => {
    expect(() => computeTreeHashes([{ path, mode: "100644", hash: empty }])).toThrow(/invalid path/);
  });
});
