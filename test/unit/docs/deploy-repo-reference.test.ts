import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type JsonSchema,
  REFERENCE_END,
  REFERENCE_START,
  renderReference,
} from "../../../scripts/deploy-repo-reference.js";

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), "utf8");
const schemas = {
  dockhand: JSON.parse(read("schema/dockhand.schema.json")) as JsonSchema,
  app: JSON.parse(read("schema/app.schema.json")) as JsonSchema,
};

/** Every key path of a schema, in the reference's notation. */
function keys(schema: JsonSchema, prefix = ""): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([name, child]) => {
    const key = prefix ? `${prefix}.${name}` : name;
    const values = child.additionalProperties;
    const below = child.properties
      ? keys(child, key)
      : typeof values === "object" && values.properties
        ? keys(values, `${key}.<name>`)
        : child.items?.properties
          ? keys(child.items, `${key}[]`)
          : [];
    return [key, ...below];
  });
}

describe("the deploy repo reference in docs/deploy-repo.md", () => {
  it("is what scripts/write-reference.ts renders from schema/ (run it after changing the schemas)", () => {
    const page = read("docs/deploy-repo.md");
    const start = page.indexOf(REFERENCE_START);
    const end = page.indexOf(REFERENCE_END);
    expect(start).toBeGreaterThan(0);
    expect(page.slice(start, end + REFERENCE_END.length)).toBe(renderReference(schemas));
  });

  it("has a row with type, default and example for every key of both schemas", () => {
    const reference = renderReference(schemas);
    const all = [...keys(schemas.dockhand), ...keys(schemas.app)];
    expect(all.length).toBeGreaterThan(40);
    for (const key of all) {
      const row = reference.split("\n").find((line) => line.startsWith(`| \`${key}\` |`));
      expect(row, key).toBeDefined();
      const cells = row?.split(/(?<!\\)\|/).map((c) => c.trim()) ?? [];
      expect(
        cells.slice(2, 5).every((c) => c !== "" && c !== "``"),
        `${key}: ${row}`,
      ).toBe(true);
    }
  });
});
