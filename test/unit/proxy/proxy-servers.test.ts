import { describe, expect, it } from "vitest";
import { httpsLocation } from "../../../src/proxy/proxy-servers.js";

describe("httpsLocation", () => {
  const cases: Array<[string, string, number, string]> = [
    ["www.example.com", "/", 443, "https://www.example.com/"],
    ["www.example.com:80", "/a?b=1", 443, "https://www.example.com/a?b=1"],
    ["www.example.com:8080", "/a", 8443, "https://www.example.com:8443/a"],
    ["[::1]:8080", "/", 443, "https://[::1]/"],
    ["[::1]", "/x", 8443, "https://[::1]:8443/x"],
  ];
  it.each(cases)("%s%s with HTTPS on %i ─▶ %s", (host, url, port, expected) => {
    expect(httpsLocation(host, url, port)).toBe(expected);
  });
});
