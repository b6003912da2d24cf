import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { deployRepoJsonSchemas } from "../../../src/config/index.js";

/** Parsed, so the comparison is of content: the layout is biome's (scripts/write-schema.ts formats it). */
function committed(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../../schema/${name}`, import.meta.url), "utf8"));
}

describe("deployRepoJsonSchemas", () => {
  const schemas = deployRepoJsonSchemas();

  it.each([
    ["dockhand.schema.json", schemas.dockhand],
    ["app.schema.json", schemas.app],
  ])(
    "matches the committed schema/%s (run `npx tsx scripts/write-schema.ts` after a format change)",
    (name, schema) => {
      expect(committed(name)).toEqual(schema);
    },
  );

  it("describes every app key with its default and forbids unknown ones", () => {
    const properties = schemas.app.properties as Record<string, { default?: unknown }>;
    expect(Object.keys(properties)).toEqual([
      "name",
      "build",
      "image",
      "replicas",
      "port",
      "hostPort",
      "hostnames",
      "env",
      "health",
      "rollout",
      "placement",
      "secrets",
      "hooks",
      "resources",
      "volumes",
      "command",
      "stopTimeout",
      "previews",
      "environments",
    ]);
    expect(properties.replicas?.default).toBe(1);
    expect(schemas.app.required).toEqual(["name"]);
    expect(schemas.app.additionalProperties).toBe(false);
    expect(schemas.app.oneOf).toEqual([{ required: ["build"] }, { required: ["image"] }]);
  });

  it("describes dockhand.yaml with hosts required and durations as text", () => {
    expect(schemas.dockhand.required).toEqual(["hosts"]);
    const previews = (schemas.dockhand.properties as Record<string, { properties: Record<string, object> }>).previews;
    expect(previews?.properties.ttl).toMatchObject({ type: "string", default: "72h" });
  });
});
