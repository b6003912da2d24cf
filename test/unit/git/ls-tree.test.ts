import { describe, expect, it } from "vitest";
import { parseLsTree } from "../../../src/git/ls-tree.js";

const H1 = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
const H2 = "aaa96ced2d9a1c8e72c56b253a0e2fe78393feb7";

describe("parseLsTree", () => {
  it.each([
    ["empty output", "", { blobs: [], trees: {} }],
    [
      "a regular file",
      `100644 blob ${H1}\tREADME.md\x00`,
      { blobs: [{ path: "README.md", mode: "100644", hash: H1 }], trees: {} },
    ],
    [
      "an executable and a symlink",
      `100755 blob ${H1}\trun.sh\x00120000 blob ${H1}\tlink\x00`,
      {
        blobs: [
          { path: "run.sh", mode: "100755", hash: H1 },
          { path: "link", mode: "120000", hash: H1 },
        ],
        trees: {},
      },
    ],
    ["a tree", `040000 tree ${H2}\tservices/web\x00`, { blobs: [], trees: { "services/web": H2 } }],
    ["a submodule is skipped", `160000 commit ${H1}\tvendor/lib\x00`, { blobs: [], trees: {} }],
    [
      "names with spaces, tabs and newlines stay whole (-z)",
      `100644 blob ${H1}\ta b\tc\nd\x00`,
      { blobs: [{ path: "a b\tc\nd", mode: "100644", hash: H1 }], trees: {} },
    ],
  ])("%s", (_name, output, expected) => {
    expect(parseLsTree(output)).toEqual(expected);
  });

  it("refuses output it does not understand", () => {
    expect(() => parseLsTree("fatal: not a tree object\x00")).toThrow(/unexpected git ls-tree output/);
  });
});
