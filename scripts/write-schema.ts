/**
 * Writes the deploy repo's JSON Schemas for editors: `npx tsx scripts/write-schema.ts`.
 * test/unit/config/json-schemas.test.ts fails when the committed files differ.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { deployRepoJsonSchemas } from "../src/config/index.js";

const schemas = deployRepoJsonSchemas();
const files = { "dockhand.schema.json": schemas.dockhand, "app.schema.json": schemas.app };
const written: string[] = [];
for (const [name, schema] of Object.entries(files)) {
  const target = fileURLToPath(new URL(`../schema/${name}`, import.meta.url));
  writeFileSync(target, `${JSON.stringify(schema, null, 2)}\n`);
  written.push(target);
}
// Formatted the way `biome check` wants them, so the lint stays clean after a regeneration.
const biome = fileURLToPath(new URL("../node_modules/.bin/biome", import.meta.url));
execFileSync(biome, ["format", "--write", ...written], { stdio: "ignore" });
for (const target of written) console.log(`wrote ${target}`);
