/**
 * The digests that name a container's spec:
 * src/config hashes what the deploy repo says, and the planner folds in what
 * only placement decides (resolved `${apps.…}` references) with the same
 * functions, so a field digest means one thing wherever it is computed.
 */
import { createHash } from "node:crypto";

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

/** SHA-256 of a value's canonical JSON, in hex. */
export function digestOf(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

/** The short digest stored per spec field (`dockhand.spec.fields`): enough to see a change, nothing of the value. */
export function fieldDigest(value: unknown): string {
  return digestOf(value).slice(0, 8);
}
