import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  containerLabels,
  containerName,
  decodeSpecFields,
  encodeSpecFields,
  LABELS,
} from "../../../src/model/index.js";

describe("container identity", () => {
  it("names containers readably, with the instance unless it is the default", () => {
    expect(containerName("web", "production", 2, "abcdef0123456789")).toBe("web-production-2-abcdef01");
    expect(containerName("web", "pr-42", 0, "abcdef0123456789", "default")).toBe("web-pr-42-0-abcdef01");
    expect(containerName("web", "production", 0, "abcdef0123456789", "ci7")).toBe("ci7-web-production-0-abcdef01");
  });

  it("labels carry the spec fields compactly, sorted", () => {
    const labels = containerLabels({
      instance: "default",
      app: "web",
      env: "production",
      slot: 1,
      specHash: "h",
      commit: "c",
      specFields: { port: "p1", "env.B": "b1", image: "i1" },
    });
    expect(labels[LABELS.specFields]).toBe("env.B=b1,image=i1,port=p1");
    expect(labels[LABELS.slot]).toBe("1");
  });

  it("decodes what it encodes, for any field names and digests", () => {
    const key = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_.]{0,20}$/);
    const digest = fc.stringMatching(/^[0-9a-f]{8}$/);
    fc.assert(
      fc.property(fc.dictionary(key, digest, { minKeys: 1 }), (fields) => {
        expect(decodeSpecFields(encodeSpecFields(fields))).toEqual(fields);
      }),
      { seed: 42 },
    );
  });

  it("reads a missing or malformed label as unknown", () => {
    expect(decodeSpecFields(undefined)).toBeUndefined();
    expect(decodeSpecFields("")).toBeUndefined();
    expect(decodeSpecFields("image")).toBeUndefined();
  });
});
