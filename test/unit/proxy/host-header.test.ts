import { describe, expect, it } from "vitest";
import { readHostHeader } from "../../../src/proxy/host-header.js";

const hosts = (...values: string[]) => values.flatMap((value) => ["Host", value]);

describe("readHostHeader", () => {
  const valid: Array<[string, string]> = [
    ["www.example.com", "www.example.com"],
    ["WWW.Example.com:8080", "www.example.com"],
    ["www.example.com.", "www.example.com"],
    ["www.example.com:", "www.example.com"],
    ["192.0.2.7:65535", "192.0.2.7"],
    ["[2001:db8::1]", "[2001:db8::1]"],
    ["[::ffff:192.0.2.7]:443", "[::ffff:192.0.2.7]"],
    ["web_1.internal", "web_1.internal"],
    // RFC 3986 reg-name characters that name no route: valid syntax, so a 404 rather than a 400.
    ["a~b!$&'()*+,;=.example", "a~b!$&'()*+,;=.example"],
    ["%41.example", "%41.example"],
  ];
  it.each(valid)("takes %j (route lookup key %j)", (value, name) => {
    expect(readHostHeader(hosts(value))).toEqual({ value, name });
  });

  const invalid: Array<[string, string[], string]> = [
    ["a space", hosts("a b.example"), "is not a valid host"],
    ["an @", hosts("user@example.com"), "is not a valid host"],
    ["a slash", hosts("example.com/evil"), "is not a valid host"],
    ["a backslash", hosts("evil\\example.com"), "is not a valid host"],
    ["a quote", hosts('"example.com"'), "is not a valid host"],
    ["markup", hosts("<script>.example"), "is not a valid host"],
    ["a bad percent escape", hosts("%4g.example"), "is not a valid host"],
    ["255 characters", hosts("a".repeat(255)), "is not a valid host"],
    ["a port with letters", hosts("example.com:80x"), "is not a valid host"],
    ["a port over 65535", hosts("example.com:65536"), "is not a valid host"],
    ["six port digits", hosts("example.com:000080"), "is not a valid host"],
    ["two colons", hosts("example.com:80:80"), "is not a valid host"],
    ["an IPv6 address without brackets", hosts("2001:db8::1"), "is not a valid host"],
    ["an unclosed IPv6 literal", hosts("[2001:db8::1"), "is not a valid host"],
    ["a zone identifier", hosts("[fe80::1%25eth0]"), "is not a valid host"],
    ["IPvFuture", hosts("[v1.fe80::a+en1]"), "is not a valid host"],
    ["text after the literal", hosts("[::1]x"), "is not a valid host"],
    ["an empty value", hosts(""), "is not a valid host"],
    ["only a dot", hosts("."), "is not a valid host"],
    ["only a port", hosts(":8080"), "is not a valid host"],
    ["no Host", ["Accept", "*/*"], "the request has no Host header"],
    ["two Hosts", hosts("a.example", "b.example"), "the request has 2 Host headers"],
    ["two Hosts told apart by case only", ["Host", "a.example", "HOST", "a.example"], "the request has 2 Host headers"],
  ];
  it.each(invalid)("refuses %s, saying what is right", (_what, raw, problem) => {
    const read = readHostHeader(raw);
    expect(read).toEqual({ problem: expect.stringContaining(problem) });
    expect(read).toEqual({
      problem: expect.stringContaining(
        'send one Host header with a hostname or IP address and an optional ":port" (RFC 3986)',
      ),
    });
  });

  it("keeps the longest DNS name with its root dot (254 characters)", () => {
    const name = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}.`;
    expect(name).toHaveLength(254);
    expect(readHostHeader(hosts(name))).toEqual({ value: name, name: name.slice(0, -1) });
  });
});
