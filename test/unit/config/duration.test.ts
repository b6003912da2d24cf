import { describe, expect, it } from "vitest";
import { parseDuration } from "../../../src/config/index.js";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["2s", 2000],
    ["1m", 60_000],
    ["1h", 3_600_000],
    ["1m30s", 90_000],
    ["1h2m3s4ms", 3_723_004],
    ["90s", 90_000],
    ["72h", 259_200_000],
    ["0s", 0],
  ])("reads %s as %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "two", "2", "1.5s", "2 s", "s", "1s1m", "2S", "1ms1s", "-1s", "1d", "1m1m"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
