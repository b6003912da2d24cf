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
