import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildImageTag, canonicalJson, computeSpecFields, computeSpecHash } from "../../../src/config/index.js";

const SPEC = { image: "busybox:stable", port: 8080, environment: { GREETING: "hello", MODE: "prod" } };

describe("computeSpecHash", () => {
  it("is pinned: spec hashes live in container labels, so a change restarts every container", () => {
    expect(computeSpecHash(SPEC)).toBe(
      // sha256 of {"environment":{"GREETING":"hello","MODE":"prod"},"image":"busybox:stable","port":8080}
      "63a3a93a298c8dfca59c6c52ae1f4e4bf62f70b41ce466e9bb7dcd18bd9637a8",
    );
  });

  it("ignores the order keys were inserted in, at every depth", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), fc.integer({ min: 1, max: 65535 }), (environment, port) => {
        const reversed = Object.fromEntries(Object.entries(environment).reverse());
        const a = computeSpecHash({ image: "x", port, environment });
        const b = computeSpecHash({ environment: reversed, port, image: "x" } as typeof SPEC);
        expect(b).toBe(a);
      }),
    );
  });

  it.each([
    ["image", { ...SPEC, image: "busybox:1.36" }],
    ["port", { ...SPEC, port: 8081 }],
    ["an env value", { ...SPEC, environment: { ...SPEC.environment, MODE: "dev" } }],
    ["an env name", { ...SPEC, environment: { GREETING: "hello", MODE2: "prod" } }],
    ["an added env var", { ...SPEC, environment: { ...SPEC.environment, EXTRA: "" } }],
  ])("changes with %s", (_, changed) => {
    expect(computeSpecHash(changed)).not.toBe(computeSpecHash(SPEC));
  });

  it("keeps old hashes when a new optional part is left undefined", () => {
    const withNewPart = { ...SPEC, command: undefined } as typeof SPEC;
    expect(computeSpecHash(withNewPart)).toBe(computeSpecHash(SPEC));
  });
});

describe("canonicalJson", () => {
  it.each([
    [{ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }, '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}'],
    [{ a: undefined, b: "x" }, '{"b":"x"}'],
    [[undefined, 1], "[null,1]"],
    ["text", '"text"'],
  ])("writes %j as %s", (value, json) => {
    expect(canonicalJson(value)).toBe(json);
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY], [() => 1], [10n]])("refuses %s", (value) => {
    expect(() => canonicalJson({ value })).toThrow(TypeError);
  });
});

describe("buildImageTag", () => {
  const tree = "3333333333333333333333333333333333333333";

  it("is dockhand/<app>:<12 hex> of sha256(contextHash NUL dockerfile)", () => {
    expect(buildImageTag("web", tree, "Dockerfile")).toBe("dockhand/web:a605af4a0850");
  });

  it("is the same for the same context and Dockerfile, so nothing is rebuilt", () => {
    expect(buildImageTag("web", tree, "Dockerfile")).toBe(buildImageTag("web", tree, "Dockerfile"));
  });

  it.each([
    ["another tree", "4444444444444444444444444444444444444444", "Dockerfile"],
    ["another Dockerfile", tree, "Dockerfile.prod"],
  ])("changes with %s", (_, contextHash, dockerfile) => {
    expect(buildImageTag("web", contextHash, dockerfile)).not.toBe(buildImageTag("web", tree, "Dockerfile"));
  });
});

describe("computeSpecFields", () => {
  it("gives one digest per field and per env var, independent of key order", () => {
    const a = computeSpecFields({ image: "web:1", port: 8080, environment: { A: "1", B: "2" } });
    const b = computeSpecFields({ environment: { B: "2", A: "1" }, port: 8080, image: "web:1" });
    expect(Object.keys(a).sort()).toEqual(["env.A", "env.B", "image", "port"]);
    expect(b).toEqual(a);
  });

  it("changes only the digest of the field that changed", () => {
    const a = computeSpecFields({ image: "web:1", port: 8080, environment: { A: "1", B: "2" } });
    const b = computeSpecFields({ image: "web:1", port: 8080, environment: { A: "1", B: "3" } });
    expect(Object.keys(a).filter((k) => a[k] !== b[k])).toEqual(["env.B"]);
  });

  it("never contains a value, only 8-hex digests", () => {
    const fields = computeSpecFields({ image: "web:1", port: 8080, environment: { TOKEN: "hunter2" } });
    expect(Object.values(fields).every((d) => /^[0-9a-f]{8}$/.test(d))).toBe(true);
  });
});
