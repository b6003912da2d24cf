/**
 * zod issues to located ConfigIssues. zod knows what is wrong and where in the
 * data; the YAML file knows where that is on screen. Unknown keys point at the
 * key, missing keys at the map that lacks them, everything else at the value.
 */
import type { z } from "zod";
import type { ConfigIssue } from "../model/index.js";
import { describeValue, unknownKeyMessage } from "./messages.js";
import { issueAt, lacksKey, type YamlFile } from "./yaml-file.js";

export interface ValidationContext {
  file: YamlFile;
  schema: z.core.$ZodType;
  /** Top-level keys planned for dockhand that this version does not build yet. */
  notSupportedYet: readonly string[];
}

interface DefLike {
  type: string;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  valueType?: z.core.$ZodType;
  element?: z.core.$ZodType;
  options?: z.core.$ZodType[];
}

function defOf(schema: z.core.$ZodType): DefLike {
  return schema._zod.def as unknown as DefLike;
}

/**
 * Unwraps optional/default/pipe layers down to the schema that holds the
 * shape; of a union (`false` or a map), the map.
 */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    const map = def.type === "union" ? def.options?.find((o) => defOf(unwrap(o)).type === "object") : undefined;
    const inner = def.innerType ?? (def.type === "pipe" ? def.in : map);
    if (!inner) return current;
    current = inner;
  }
}

/** The keys an object schema allows at a data path, for "allowed here: ..." in messages. */
export function allowedKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.core.$ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (!current) return [];
    const def = defOf(current);
    const next: z.core.$ZodType | undefined =
      def.type === "object" ? def.shape?.[String(segment)] : def.type === "record" ? def.valueType : def.element;
    current = next ? unwrap(next) : undefined;
  }
  const def = current ? defOf(current) : undefined;
  return def?.type === "object" ? Object.keys(def.shape ?? {}) : [];
}

function unknownKeyIssues(ctx: ValidationContext, issue: z.core.$ZodIssueUnrecognizedKeys): ConfigIssue[] {
  const allowed = allowedKeysAt(ctx.schema, issue.path);
  return issue.keys.map((key) => {
    const message =
      issue.path.length === 0 && ctx.notSupportedYet.includes(key)
        ? "not supported yet by this version of dockhand"
        : unknownKeyMessage(key, allowed);
    return issueAt(ctx.file, [...issue.path, key], message, "key");
  });
}

export function toConfigIssues(ctx: ValidationContext, issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  const located = issues.flatMap((issue) => locate(ctx, issue));
  // Several checks of one value share one message ("expected a duration..."): say it once.
  const seen = new Set<string>();
  return located.filter((issue) => {
    const key = `${issue.path}\0${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function locate(ctx: ValidationContext, issue: z.core.$ZodIssue): ConfigIssue[] {
  if (issue.code === "unrecognized_keys") return unknownKeyIssues(ctx, issue);
  if (issue.code === "invalid_key") {
    return [issueAt(ctx.file, issue.path, issue.issues[0]?.message ?? issue.message, "key")];
  }
  const parent = issue.path.slice(0, -1);
  const last = issue.path.at(-1);
  if (issue.code === "invalid_type" && last !== undefined && lacksKey(ctx.file, parent, last)) {
    return [issueAt(ctx.file, parent, `missing required key "${String(last)}"`)];
  }
  return [issueAt(ctx.file, issue.path, issue.message)];
}

/** The wording for any check that forgot its own: still "expected ..., got ...". */
export function fallbackMessage(issue: { expected?: unknown; input?: unknown }): string {
  return `expected ${String(issue.expected ?? "a different value")}, got ${describeValue(issue.input)}`;
}
