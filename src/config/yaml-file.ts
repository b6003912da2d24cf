/**
 * A deploy-repo YAML file parsed with positions, and the one place that turns a
 * key path into file:line:col (1-based) for a ConfigIssue.
 */
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
  type YAMLError,
} from "yaml";
import type { ConfigIssue } from "../model/index.js";

export type KeyPath = readonly PropertyKey[];

export interface YamlFile {
  path: string;
  doc: Document;
  lines: LineCounter;
}

/** Where an issue points: the value node, the key node of the last path segment. */
export type Anchor = "value" | "key";

interface Resolved {
  value?: Node;
  key?: Node;
  /** The deepest node the path reached, for paths that run past what the file has. */
  deepest?: Node;
}

export function joinPath(path: KeyPath): string {
  return path.map(String).join(".");
}

export function readYamlFile(path: string, source: string): { file: YamlFile; issues: ConfigIssue[] } {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const file = { path, doc, lines };
  const issues = doc.errors.map((error) => syntaxIssue(file, error));
  return { file, issues: issues.length > 0 ? issues : aliasIssues(file) };
}

/**
 * `hostnames: [*.example.com]` is a YAML alias, not a wildcard: the parser
 * accepts it and only fails when the data is read. Say so, with the fix.
 */
function aliasIssues(file: YamlFile): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  visit(file.doc, {
    Alias: (_, alias) => {
      if (alias.resolve(file.doc) !== undefined) return;
      const { line, col } = file.lines.linePos(alias.range?.[0] ?? 0);
      const text = `*${alias.source}`;
      const message = `${text} reads as a YAML alias; to mean the text, quote it: "${text}"`;
      issues.push({ file: file.path, line, column: col, path: "", message });
    },
  });
  return issues;
}

function syntaxIssue(file: YamlFile, error: YAMLError): ConfigIssue {
  const { line, col } = file.lines.linePos(error.pos[0]);
  const message =
    error.code === "DUPLICATE_KEY"
      ? "this key appears twice in the same map; keep one"
      : `YAML syntax error: ${error.message.split("\n")[0]}`;
  return { file: file.path, line, column: col, path: "", message };
}

function resolve(file: YamlFile, path: KeyPath): Resolved {
  let value = (file.doc.contents ?? undefined) as Node | undefined;
  let key: Node | undefined;
  let deepest = value;
  for (const segment of path) {
    if (isMap(value)) {
      const pair = value.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      key = pair?.key as Node | undefined;
      value = (pair?.value ?? undefined) as Node | undefined;
    } else if (isSeq(value)) {
      key = undefined;
      value = value.items[Number(segment)] as Node | undefined;
    } else {
      return { deepest };
    }
    if (!key && !value) return { deepest };
    deepest = value ?? key;
  }
  return { value, key, deepest };
}

/** Whether the map at `parent` exists and lacks `key`: a missing key rather than a bad value. */
export function lacksKey(file: YamlFile, parent: KeyPath, key: PropertyKey): boolean {
  const { value } = resolve(file, parent);
  return isMap(value) && !value.items.some((item) => isScalar(item.key) && String(item.key.value) === String(key));
}

function isEmptyScalar(node: Node | undefined): boolean {
  return isScalar(node) && node.value === null && !node.source;
}

export function issueAt(file: YamlFile, path: KeyPath, message: string, anchor: Anchor = "value"): ConfigIssue {
  const { value, key, deepest } = resolve(file, path);
  // `port:` with nothing after it has an empty value node; its key is where the eye goes.
  const node = anchor === "key" || isEmptyScalar(value) ? (key ?? value) : (value ?? key);
  const offset = (node ?? deepest)?.range?.[0] ?? 0;
  const { line, col } = file.lines.linePos(offset);
  return { file: file.path, line, column: col, path: joinPath(path), message };
}

export function rootKind(file: YamlFile): "empty" | "map" | "other" {
  const contents = file.doc.contents;
  if (contents === null || isEmptyScalar(contents as Node)) return "empty";
  return isMap(contents) ? "map" : "other";
}

/**
 * YAML reads `1.10` as the number 1.1 and `0x1F` as 31; an env var or label
 * should get what the file says. Numbers and booleans in the map (or list)
 * at `path` become their source text before validation.
 */
export function stringifyScalars(file: YamlFile, path: KeyPath): void {
  const { value } = resolve(file, path);
  // A command's arguments (`[httpd, -p, 8080]`) are text too.
  const nodes = isMap(value) ? value.items.map((item) => item.value) : isSeq(value) ? value.items : [];
  for (const node of nodes) {
    if (isScalar(node) && (typeof node.value === "number" || typeof node.value === "boolean")) {
      node.value = node.source ?? String(node.value);
    }
  }
}

/** Keys of the map at `path`, in file order; empty when it is not a map. */
export function keysAt(file: YamlFile, path: KeyPath): string[] {
  const { value } = resolve(file, path);
  if (!isMap(value)) return [];
  return value.items.flatMap((item) => (isScalar(item.key) ? [String(item.key.value)] : []));
}
