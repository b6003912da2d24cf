import { describe, expect, it } from "vitest";
import { isNewer, mayReplace, type TableStamp } from "../../../src/proxy/table-order.js";

describe("mayReplace and isNewer", () => {
  const cases: Array<[string, TableStamp, TableStamp, boolean, boolean]> = [
    ["a higher version", { epoch: "e1", version: 5 }, { epoch: "e1", version: 4 }, true, true],
    ["the same version", { epoch: "e1", version: 4 }, { epoch: "e1", version: 4 }, true, false],
    ["a lower version", { epoch: "e1", version: 3 }, { epoch: "e1", version: 4 }, false, false],
    [
      "a lower version of a new epoch (Redis wiped)",
      { epoch: "e2", version: 1 },
      { epoch: "e1", version: 40 },
      true,
      true,
    ],
    [
      "the first table, served nothing yet",
      { epoch: "e1", version: 1 },
      { version: Number.NEGATIVE_INFINITY },
      true,
      true,
    ],
    ["a table without epoch, by version", { version: 3 }, { epoch: "e1", version: 4 }, false, false],
    ["tables without epochs, by version", { version: 5 }, { version: 4 }, true, true],
  ];
  it.each(cases)("%s", (_, next, served, replaces, newer) => {
    expect(mayReplace(next, served)).toBe(replaces);
    expect(isNewer(next, served)).toBe(newer);
  });
});
