import { describe, expect, it } from "vitest";
import { buildHostIndex, normalizeHost, parseRouteHostname } from "../../../src/proxy/host-index.js";
import { route } from "./route-fixtures.js";

describe("normalizeHost", () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    ["www.example.com", "www.example.com"],
    ["WWW.Example.COM", "www.example.com"],
    ["www.example.com:8080", "www.example.com"],
    ["www.example.com.", "www.example.com"],
    ["www.example.com.:443", "www.example.com"],
    ["  www.example.com  ", "www.example.com"],
    ["127.0.0.1:8080", "127.0.0.1"],
    ["[::1]:8080", "[::1]"],
    ["[::1]", "[::1]"],
    ["[::1", undefined],
    ["[::1]x", undefined],
    ["example.com:http", undefined],
    ["", undefined],
    [":8080", undefined],
    [undefined, undefined],
  ];
  it.each(cases)("%j ─▶ %j", (raw, expected) => {
    expect(normalizeHost(raw)).toBe(expected);
  });
});

describe("parseRouteHostname", () => {
  const cases: Array<[string, object]> = [
    ["www.example.com", { exact: "www.example.com" }],
    ["WWW.example.com.", { exact: "www.example.com" }],
    ["localhost", { exact: "localhost" }],
    ["*.preview.example.com", { wildcardOf: "preview.example.com" }],
    ["*.Preview.Example.com", { wildcardOf: "preview.example.com" }],
    ["a.*.example.com", { problem: expect.stringContaining('"*." only as the first label') }],
    ["*example.com", { problem: expect.stringContaining('"*." only as the first label') }],
    ["*.-bad.example.com", { problem: expect.stringContaining("a wildcard must be") }],
    ["*.", { problem: expect.stringContaining("is not a hostname") }],
    ["web_1.internal", { exact: "web_1.internal" }],
    ["-bad.example.com", { problem: expect.stringContaining("is not a hostname") }],
    ["exa mple.com", { problem: expect.stringContaining("is not a hostname") }],
  ];
  it.each(cases)("%j ─▶ %j", (raw, expected) => {
    expect(parseRouteHostname(raw)).toEqual(expected);
  });
});

describe("buildHostIndex", () => {
  const web = route("web", ["www.example.com", "example.com"]);
  const previews = route("web", ["*.preview.example.com"], [], "pr-42");
  const special = route("docs", ["docs.preview.example.com"], [], "pr-7");
  const index = buildHostIndex({ version: 3, routes: [web, previews, special] });

  const lookups: Array<[string, string | undefined]> = [
    ["www.example.com", "production/web"],
    ["example.com", "production/web"],
    ["a.preview.example.com", "pr-42/web"],
    ["docs.preview.example.com", "pr-7/docs"],
    ["preview.example.com", undefined],
    ["a.b.preview.example.com", undefined],
    ["other.example.com", undefined],
    ["", undefined],
    // A wildcard covers one DNS label, never whatever a client puts before the first dot.
    ["a/b.preview.example.com", undefined],
    ["a@b.preview.example.com", undefined],
    ["*.preview.example.com", undefined],
    ["web_1.preview.example.com", "pr-42/web"],
  ];
  it.each(lookups)("looks up %j ─▶ %j", (host, expected) => {
    const hit = index.lookup(host);
    expect(hit === undefined ? undefined : `${hit.env}/${hit.app}`).toBe(expected);
  });

  it("keeps the version and reports no problems for a clean table", () => {
    expect(index.version).toBe(3);
    expect(index.problems).toEqual([]);
  });

  it("gives a hostname claimed twice to the first app in env/app order, in any input order, and says so", () => {
    const a = route("api", ["shared.example.com"]);
    const b = route("web", ["Shared.example.com."]);
    for (const routes of [
      [a, b],
      [b, a],
    ]) {
      const idx = buildHostIndex({ version: 1, routes });
      expect(idx.lookup("shared.example.com")?.app).toBe("api");
      expect(idx.problems).toEqual([
        "shared.example.com is claimed by production/api and production/web; production/api keeps it",
      ]);
    }
  });

  it("skips malformed hostnames, keeps the rest of the route and names the route in the problem", () => {
    const idx = buildHostIndex({ version: 1, routes: [route("web", ["a.*.example.com", "ok.example.com"])] });
    expect(idx.lookup("ok.example.com")?.app).toBe("web");
    expect(idx.problems).toEqual([
      'production/web: "a.*.example.com" is not a hostname (letters, digits, "-" and "." only; "*." only as the first label)',
    ]);
  });

  it("tells each route the hostnames it won, for drivers that render configs", () => {
    const a = route("api", ["shared.example.com", "*.api.example.com"]);
    const b = route("web", ["shared.example.com", "www.example.com", "*.api.example.com", "*.web.example.com"]);
    const idx = buildHostIndex({ version: 1, routes: [b, a] });
    expect(idx.claimsOf(a)).toEqual({ exact: ["shared.example.com"], wildcardOf: ["api.example.com"] });
    expect(idx.claimsOf(b)).toEqual({ exact: ["www.example.com"], wildcardOf: ["web.example.com"] });
  });

  it("lets one app list a hostname twice without a problem", () => {
    const idx = buildHostIndex({ version: 1, routes: [route("web", ["a.example.com", "A.example.com"])] });
    expect(idx.problems).toEqual([]);
  });
});
