import { describe, expect, it } from "vitest";
import { canonicalIp, isUnspecifiedIp } from "../../../src/model/index.js";

describe("canonicalIp: the spelling the engine reports", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["::1", "::1"],
    ["0:0:0:0:0:0:0:1", "::1"],
    ["FD00:0:0:0:0:0:0:12", "fd00::12"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["1:0:0:1:0:0:0:1", "1:0:0:1::1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["::ffff:127.0.0.1", "127.0.0.1"],
    ["::ffff:0:0", "0.0.0.0"],
    ["::", "::"],
  ])("%s is written %s", (text, ip) => {
    expect(canonicalIp(text)).toBe(ip);
  });

  it.each([
    "",
    "localhost",
    "web1.internal",
    "[::1]",
    "fe80::1%eth0",
    "1::2::3",
    "127.0.0.01",
    "256.0.0.1",
    "10.0.0",
    "::1 ",
    "12345::1",
  ])("%j is no IP literal", (text) => {
    expect(canonicalIp(text)).toBeUndefined();
  });

  it.each([
    ["0.0.0.0", true],
    ["::", true],
    ["0:0::0", true],
    ["::ffff:0.0.0.0", true],
    ["127.0.0.1", false],
    ["::1", false],
    ["web1.internal", false],
  ])("%s means every interface: %s", (text, every) => {
    expect(isUnspecifiedIp(text)).toBe(every);
  });
});
