/**
 * Writes the generated reference section of docs/deploy-repo.md from the
 * JSON Schemas in schema/: `npx tsx scripts/write-reference.ts` (after
 * `npx tsx scripts/write-schema.ts` when the validator changed). The rest of
 * the page is written by hand and left as it is.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type JsonSchema, REFERENCE_END, REFERENCE_START, renderReference } from "./deploy-repo-reference.js";

const read = (name: string) =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../schema/${name}`, import.meta.url)), "utf8")) as JsonSchema;
const page = fileURLToPath(new URL("../docs/deploy-repo.md", import.meta.url));
const text = readFileSync(page, "utf8");
const reference = renderReference({ dockhand: read("dockhand.schema.json"), app: read("app.schema.json") });
const start = text.indexOf(REFERENCE_START);
const end = text.indexOf(REFERENCE_END);
const next =
  start >= 0 && end > start
    ? `${text.slice(0, start)}${reference}${text.slice(end + REFERENCE_END.length)}`
    : `${text.trimEnd()}\n\n${reference}\n`;
writeFileSync(page, next);
console.log(`wrote the reference section of ${page}`);
