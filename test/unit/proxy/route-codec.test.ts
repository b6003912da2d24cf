import { describe, expect, it } from "vitest";
import { DockhandError } from "../../../src/model/index.js";
import { decodeAppRoute, decodeRouteTable, encodeAppRoute } from "../../../src/proxy/route-codec.js";
import { route, upstream } from "./route-fixtures.js";

const good = route("web", ["www.example.com"], [upstream("web-production-0-abc", 32768)]);

describe("encodeAppRoute / decodeAppRoute", () => {
  it("round-trips a route", () => {
    expect(decodeAppRoute("field production/web", encodeAppRoute(good))).toEqual(good);
  });

  it("encodes the same route to the same text whatever the key order (the store skips unchanged writes)", () => {
    const shuffled = { upstreams: good.upstreams, hostnames: good.hostnames, env: good.env, app: good.app };
    expect(encodeAppRoute(shuffled)).toBe(encodeAppRoute(good));
  });

  it("drops unknown fields", () => {
    const extra = JSON.stringify({ ...good, extra: 1 });
    expect(decodeAppRoute("f", extra)).toEqual(good);
  });

  const bad: Array<[string, string]> = [
    ["{", "route store f: not JSON"],
    ["[]", "route store f: should be an object"],
    [JSON.stringify({ ...good, app: "" }), 'route store f: app should be a non-empty string, got ""'],
    [JSON.stringify({ ...good, hostnames: "www" }), "route store f: hostnames should be a list of strings"],
    [JSON.stringify({ ...good, upstreams: {} }), "route store f: upstreams should be a list"],
    [
      JSON.stringify({ ...good, upstreams: [{ ...good.upstreams[0], port: 70000 }] }),
      "route store f upstreams[0]: port should be an integer from 1 to 65535, got 70000",
    ],
    [
      JSON.stringify({ ...good, upstreams: [{ ...good.upstreams[0], state: "gone" }] }),
      'route store f upstreams[0]: state should be "active" or "draining", got "gone"',
    ],
  ];
  it.each(bad)("rejects %s", (json, message) => {
    let caught: unknown;
    try {
      decodeAppRoute("f", json);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DockhandError);
    expect((caught as DockhandError).code).toBe("DOCKHAND_E_PROXY");
    expect((caught as DockhandError).message.startsWith(message)).toBe(true);
  });
});

describe("decodeRouteTable", () => {
  it("round-trips a table", () => {
    const table = { version: 7, routes: [good] };
    expect(decodeRouteTable("snapshot s", JSON.stringify(table))).toEqual(table);
  });

  const bad: Array<[string, string]> = [
    ["null", "route store snapshot s: should be an object with version and routes"],
    ['{"version":-1,"routes":[]}', "route store snapshot s: version should be an integer >= 0, got -1"],
    ['{"version":1}', "route store snapshot s: routes should be a list"],
    ['{"version":1,"routes":[1]}', "route store snapshot s routes[0]: should be an object"],
  ];
  it.each(bad)("rejects %s", (json, message) => {
    expect(() => decodeRouteTable("snapshot s", json)).toThrow(message);
  });
});
