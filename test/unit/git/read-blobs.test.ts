import { describe, expect, it } from "vitest";
import { parseCatFileBatch } from "../../../src/git/read-blobs.js";

const H1 = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
const H2 = "ce013625030ba8dba906f756967f9e9ca394464a";

describe("parseCatFileBatch", () => {
  it.each<[string, Buffer, Record<string, string>]>([
    ["nothing", Buffer.alloc(0), {}],
    ["an empty blob", Buffer.from(`${H1} blob 0\n\n`), { [H1]: "" }],
    ["two blobs", Buffer.from(`${H1} blob 0\n\n${H2} blob 6\nhello\n\n`), { [H1]: "", [H2]: "hello\n" }],
    [
      "content that looks like a header",
      Buffer.from(`${H2} blob ${H1.length + 8}\n${H1} blob 3\n\n`),
      { [H2]: `${H1} blob 3\n` },
    ],
  ])("%s", (_name, output, expected) => {
    const got = Object.fromEntries([...parseCatFileBatch(output)].map(([k, v]) => [k, v.toString("utf8")]));
    expect(got).toEqual(expected);
  });

  it.each([
    ["a missing object", `${H1} missing\n`, /missing/],
    ["a cut-off blob", `${H1} blob 10\nabc`, /truncated/],
    ["a cut-off header", `${H1} blob`, /truncated/],
  ])("fails on %s", (_name, output, error) => {
    expect(() => parseCatFileBatch(Buffer.from(output))).toThrow(error);
  });
});
