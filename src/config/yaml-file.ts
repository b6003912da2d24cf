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
  type Pair,
  parseDocument,
  type YAMLError,
  type YAMLMap,
} from "yaml";
import type { ConfigIssue } from "../model/index.js";
import { checkYamlNodes } from "./check-yaml-nodes.js";
import { checkYamlTokens } from "./check-yaml-tokens.js";
import { fileSizeIssue, TOO_DEEP } from "./yaml-limits.js";

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

/**
 * Parses one file within YAML_LIMITS. A file over a limit is refused before
 * (or instead of) parsing, and comes back empty with the issue.
 */
export function readYamlFile(path: string, source: string): { file: YamlFile; issues: ConfigIssue[] } {
  const refused = fileSizeIssue(path, source) ?? checkYamlTokens(path, source);
  if (refused) return { file: { path, doc: parseDocument(""), lines: new LineCounter() }, issues: [refused] };
  const lines = new LineCounter();
  // The parser's own duplicate-key check compares each key with every earlier one: checkYamlNodes uses a set.
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const file = { path, doc, lines };
  const nodeIssues = checkYamlNodes(path, doc, lines);
  // How deep the composer's stack overflows depends on the stack left (Node's version, the thread): when
  // it overflowed past the level checkYamlNodes refused, that is one problem, said once, at that level.
  const tooDeep = nodeIssues.some((issue) => issue.message === TOO_DEEP);
  const syntax = doc.errors.map((error) => syntaxIssue(file, error)).filter((i) => !tooDeep || i.message !== TOO_DEEP);
  return { file, issues: [...syntax, ...nodeIssues] };
}

/**
 * The file as plain data. Only for a file readYamlFile found no issue in: its
 * aliases are bounded and resolve, so the library's own alias count (whose
 * check walks the document again per anchor) is off.
 */
export function toData(file: YamlFile): unknown {
  return file.doc.toJS({ maxAliasCount: -1 });
}

function syntaxIssue(file: YamlFile, error: YAMLError): ConfigIssue {
  const { line, col } = file.lines.linePos(error.pos[0]);
  // Block nesting hundreds deep overflows the composer's stack before checkYamlNodes could count it.
  const message = /call stack/i.test(error.message) ? TOO_DEEP : `YAML syntax error: ${error.message.split("\n")[0]}`;
  return { file: file.path, line, column: col, path: "", message };
}

/** Each map's pairs by key text, built once per map: an issue on every key of a large map stays linear. */
const pairsByKey = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairOf(map: YAMLMap, key: PropertyKey): Pair | undefined {
  let pairs = pairsByKey.get(map);
  if (!pairs) {
    pairs = new Map();
    for (const item of map.items) {
      const text = isScalar(item.key) ? String(item.key.value) : undefined;
      if (text !== undefined && !pairs.has(text)) pairs.set(text, item);
    }
    pairsByKey.set(map, pairs);
  }
  return pairs.get(String(key));
}

function resolve(file: YamlFile, path: KeyPath): Resolved {
  let value = (file.doc.contents ?? undefined) as Node | undefined;
  let key: Node | undefined;
  let deepest = value;
  for (const segment of path) {
    if (isMap(value)) {
      const pair = pairOf(value, segment);
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
  return isMap(value) && pairOf(value, key) === undefined;
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
