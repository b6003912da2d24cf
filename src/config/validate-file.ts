/**
 * One YAML file through syntax, shape and schema, gathering every problem.
 */
import { isScalar, isSeq } from "yaml";
import type { z } from "zod";
import type { ConfigIssue } from "../model/index.js";
import { expected } from "./fields.js";
import { asMap, type RawMap } from "./raw.js";
import { issueAt, type KeyPath, readYamlFile, rootKind, stringifyScalars, toData, type YamlFile } from "./yaml-file.js";
import { fallbackMessage, toConfigIssues } from "./zod-issues.js";

export interface FileRules<T extends z.core.$ZodType> {
  schema: T;
  notSupportedYet: readonly string[];
  /** Message for a file with no content, saying what it needs. */
  emptyMessage: string;
  /** What the whole file should be, for "expected <what>, got a list". */
  rootWhat: string;
  /** Maps whose scalar values must stay as written (env vars, labels). */
  verbatimMaps: (raw: RawMap) => KeyPath[];
}

export interface ValidatedFile<T> {
  issues: ConfigIssue[];
  file?: YamlFile;
  /** The file as plain data, when it is a map (even an invalid one): cross-file checks read it. */
  raw?: RawMap;
  /** The validated result, when the file has no problem of its own. */
  value?: T;
}

export function validateFile<T extends z.core.$ZodType>(
  path: string,
  source: string,
  rules: FileRules<T>,
): ValidatedFile<z.output<T>> {
  const { file, issues } = readYamlFile(path, source);
  if (issues.length > 0) return { issues, file };
  return validateYaml(file, rules);
}

/** A parsed file (or a document made from one: an app merged with an environment's overrides) through shape and schema. */
export function validateYaml<T extends z.core.$ZodType>(
  file: YamlFile,
  rules: FileRules<T>,
): ValidatedFile<z.output<T>> {
  const kind = rootKind(file);
  if (kind === "empty") return { issues: [issueAt(file, [], rules.emptyMessage)], file };
  if (kind === "other") {
    const contents = file.doc.contents;
    const input = isScalar(contents) ? contents.value : isSeq(contents) ? contents.items : contents;
    const message = expected(rules.rootWhat).error({ input });
    return { issues: [issueAt(file, [], message)], file };
  }
  let raw: RawMap;
  try {
    for (const mapPath of rules.verbatimMaps(asMap(toData(file)) ?? {})) stringifyScalars(file, mapPath);
    raw = asMap(toData(file)) ?? {};
  } catch (error) {
    // The YAML parsed but cannot become data: still a located problem, not a crash.
    return { issues: [issueAt(file, [], `YAML error: ${(error as Error).message}`)], file };
  }
  const result = (rules.schema as unknown as z.ZodType).safeParse(raw, { error: fallbackMessage });
  if (result.success) return { issues: [], file, raw, value: result.data as z.output<T> };
  const ctx = { file, schema: rules.schema, notSupportedYet: rules.notSupportedYet };
  return { issues: toConfigIssues(ctx, result.error.issues), file, raw };
}
