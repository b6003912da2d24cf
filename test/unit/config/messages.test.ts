import { describe, expect, it } from "vitest";
import { closestMatch, describeValue, editDistance } from "../../../src/config/messages.js";

describe("editDistance", () => {
  it.each([
    ["", "", 0],
    ["port", "port", 0],
    ["replica", "replicas", 1],
    ["hsots", "hosts", 1],
    ["adress", "address", 1],
    ["kitten", "sitting", 3],
    ["", "abc", 3],
  ])("%j to %j is %i", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe("closestMatch", () => {
  const keys = ["name", "build", "image", "replicas", "port", "hostnames", "env", "health", "rollout", "placement"];
  it.each([
    ["replica", "replicas"],
    ["Port", "port"],
    ["helth", "health"],
    ["hostname", "hostnames"],
    ["imgae", "image"],
    ["colour", undefined],
    ["secrets", undefined],
    ["tls", undefined],
  ])("%j suggests %j", (word, match) => {
    expect(closestMatch(word, keys)).toBe(match);
  });
});

describe("describeValue", () => {
  it.each([
    ["two", '"two"'],
    [2, "2"],
    [false, "false"],
    [null, "nothing"],
    [[1], "a list"],
    [[], "an empty list"],
    [{ a: 1 }, "a map"],
    [{}, "an empty map"],
    ["x".repeat(80), `"${"x".repeat(57)}..."`],
  ])("%j reads as %s", (value, text) => {
    expect(describeValue(value)).toBe(text);
  });
});
