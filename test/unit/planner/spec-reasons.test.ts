import { describe, expect, it } from "vitest";
import type { ObservedContainer } from "../../../src/model/index.js";
import { specReasons } from "../../../src/planner/diff-app.js";
import { plan } from "../../../src/planner/index.js";
import { app, container, desired, host, observe, route } from "./fixtures.js";

const base = app("web", {
  specFields: { image: "i1", port: "p1", "env.GREETING": "g1", "secret.DB_URL": "s1" },
});

function running(fields: Record<string, string> | undefined, over: Partial<ObservedContainer> = {}): ObservedContainer {
  const c = container(base, 0, "alpha", { specHash: "web-old", ...over });
  if (fields) c.specFields = fields;
  else delete c.specFields;
  return c;
}

describe("specReasons names the fields that changed, never their values", () => {
  const cases: Array<{ name: string; before: Record<string, string> | undefined; want: string[]; image?: string }> = [
    {
      name: "one env var changed",
      before: { ...base.specFields, "env.GREETING": "g0" },
      want: ["env GREETING changed"],
    },
    {
      name: "an env var added and one removed",
      before: { image: "i1", port: "p1", "secret.DB_URL": "s1", "env.OLD": "o" },
      want: ["env GREETING added", "env OLD removed"],
    },
    {
      name: "a secret rotated reads 'changed' with no value",
      before: { ...base.specFields, "secret.DB_URL": "s0" },
      want: ["secret DB_URL changed"],
    },
    { name: "the port changed", before: { ...base.specFields, port: "p0" }, want: ["port changed"] },
    {
      name: "a new image is shown once, with both references",
      before: { ...base.specFields, image: "i0" },
      image: "web:0",
      want: ["image web:0 → web:1"],
    },
    { name: "a container without field labels falls back", before: undefined, want: ["spec changed"] },
    {
      name: "same fields but another hash (a field dockhand does not name)",
      before: { ...base.specFields },
      want: ["spec changed"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const current = running(c.before, c.image ? { image: c.image } : {});
      expect(specReasons(current, base)).toEqual(c.want);
    });
  }

  it("says nothing when the spec hash is equal", () => {
    expect(specReasons(running(undefined, { specHash: base.specHash }), base)).toEqual([]);
  });
});

describe("a running container the route table never confirmed", () => {
  const hosts = [host("alpha")];
  const web1 = app("web", { hostnames: ["www.example.com"] });

  it("is replaced: it was started by a rollout that died before its health gate", () => {
    const stray = container(web1, 0, "alpha");
    const observed = observe(hosts, [stray], { routes: [{ ...route(web1), upstreams: [] }] });
    observed.routes!.routes[0]!.upstreams = [];
    const change = plan(desired(hosts, [web1]), observed).changes[0]!;
    expect(change.slots.map((s) => [s.action, s.reasons])).toEqual([
      ["replace", ["never confirmed healthy (not in the route table)"]],
    ]);
  });

  it("is kept when the table routes it, or when the table is not known", () => {
    const routed = container(web1, 0, "alpha");
    const known = plan(
      desired(hosts, [web1]),
      observe(hosts, [routed], { routes: [route(web1, web1.hostnames, [routed])] }),
    );
    const unknown = plan(desired(hosts, [web1]), observe(hosts, [routed]));
    expect(known.changes[0]!.kind).toBe("unchanged");
    expect(unknown.changes[0]!.kind).toBe("unchanged");
  });
});
