/**
 * The spec hash names everything that shapes a container (DESIGN.md, "Container
 * identity"): equal hashes mean the running container is already right.
 */
import { createHash } from "node:crypto";

/**
 * What shapes the container. To add a field (secret digests, resources, volumes,
 * command), add it here as optional: a field left undefined is omitted from the
 * canonical JSON, so every hash computed before the field existed stays the same.
 */
export interface SpecHashParts {
  image: string;
  port: number;
  environment: Record<string, string>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON with object keys sorted at every depth and undefined members dropped: one text per value. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalise(value));
}

function canonicalise(value: unknown): Json {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : canonicalise(item)));
  if (value !== null && typeof value === "object") {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) out[key] = canonicalise(member);
    }
    return out;
  }
  if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError(`cannot hash the number ${value}`);
  if (value === undefined || typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") {
    throw new TypeError(`cannot hash a ${typeof value}`);
  }
  return value as Json;
}

export function computeSpecHash(parts: SpecHashParts): string {
  return createHash("sha256").update(canonicalJson(parts)).digest("hex");
}

/** Map members are one field each (`env.GREETING`); what is hashed under another name is named here. */
const FIELD_PREFIX: Record<string, string> = { environment: "env" };

/**
 * A short digest per field, stored on the container, so a plan can say
 * `env GREETING changed` while showing no value (secrets stay secret: only a
 * digest of a digest ever leaves the machine).
 */
export function computeSpecFields(parts: SpecHashParts): Record<string, string> {
  const fields: Record<string, string> = {};
  const digest = (value: unknown) => createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 8);
  for (const [key, value] of Object.entries(parts)) {
    if (value === undefined) continue;
    const prefix = FIELD_PREFIX[key];
    if (prefix && value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [name, member] of Object.entries(value)) fields[`${prefix}.${name}`] = digest(member);
    } else {
      fields[key] = digest(value);
    }
  }
  return fields;
}
