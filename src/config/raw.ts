/** Narrowing helpers for YAML data before (or without) validation. */

export type RawMap = Record<string, unknown>;

export function asMap(value: unknown): RawMap | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as RawMap) : undefined;
}

/** Entries of a list with their index, keeping only the strings (others are zod's to report). */
export function stringItems(value: unknown): Array<[number, string]> {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, index): Array<[number, string]> => (typeof item === "string" ? [[index, item]] : []));
}

/** A map's scalar values as strings, the way validation will read them. */
export function stringValues(value: unknown): Record<string, string> {
  const map = asMap(value) ?? {};
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(map)) {
    if (typeof item === "string" || typeof item === "number" || typeof item === "boolean") out[key] = String(item);
  }
  return out;
}
