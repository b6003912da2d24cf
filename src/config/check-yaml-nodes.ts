/**
 * One pass over a parsed YAML document for what the parser leaves to whoever
 * reads the data: duplicate keys, aliases that resolve to nothing, to the
 * value that contains them, or to more copies than anyone writes by hand, and
 * block nesting too deep to walk (check-yaml-tokens.ts refused too many
 * aliases and too deep flow nesting before parsing). Each anchor is looked up in a map built while
 * walking, so the pass is linear: resolving each alias by walking the whole
 * document (as `Alias.resolve` does) is quadratic, minutes for a 100 kB file
 * of aliases.
 */
import { type Document, isAlias, isCollection, isMap, isScalar, type LineCounter, type Node, type YAMLMap } from "yaml";
import type { ConfigIssue } from "../model/index.js";
import { TOO_DEEP, YAML_LIMITS } from "./yaml-limits.js";

interface Anchored {
  /** Values the anchored node stands for, its aliases' copies included. */
  size: number;
  /** Still being walked: an alias to it from inside would make the data contain itself. */
  open: boolean;
}

type Once = "aliasedValues" | "depth";

/** Where a node sits, as a chain to its parent: joined into `env.A` only when an issue names it. */
interface KeyPath {
  parent?: KeyPath;
  segment: string;
}

function joinKeyPath(path: KeyPath | undefined): string {
  const segments: string[] = [];
  for (let at = path; at; at = at.parent) segments.push(at.segment);
  return segments.reverse().join(".");
}

class NodeWalk {
  readonly issues: ConfigIssue[] = [];
  private readonly anchors = new Map<string, Anchored>();
  private aliasedValues = 0;
  private readonly reported = new Set<Once>();

  constructor(
    private readonly path: string,
    private readonly lines: LineCounter,
  ) {}

  /** The values `node` stands for once its aliases are expanded. */
  size(node: unknown, depth: number, path?: KeyPath): number {
    if (isAlias(node)) return this.alias(node.source, node);
    if (!isScalar(node) && !isCollection(node)) return 0;
    // YAML lets a later anchor reuse a name; an alias means the latest one before it, so set on entry.
    const anchored: Anchored | undefined = node.anchor ? { size: 1, open: true } : undefined;
    if (node.anchor && anchored) this.anchors.set(node.anchor, anchored);
    let size = 1;
    if (isCollection(node)) {
      if (depth >= YAML_LIMITS.depth) {
        this.once("depth", node, TOO_DEEP);
      } else {
        size += isMap(node) ? this.mapSize(node, depth + 1, path) : this.itemsSize(node.items, depth + 1, path);
      }
    }
    if (anchored) Object.assign(anchored, { size, open: false });
    return size;
  }

  private mapSize(map: YAMLMap, depth: number, parent?: KeyPath): number {
    // Each key's first occurrence, to say where the one to keep (or merge into) is.
    const firsts = new Map<unknown, Node>();
    let size = 0;
    for (const pair of map.items) {
      let path = parent;
      if (isScalar(pair.key)) {
        path = { parent, segment: String(pair.key.value) };
        const first = firsts.get(pair.key.value);
        if (first) this.duplicate(pair.key, first, path);
        else firsts.set(pair.key.value, pair.key);
      }
      size += this.size(pair.key, depth, parent) + this.size(pair.value, depth, path);
    }
    return size;
  }

  private itemsSize(items: readonly unknown[], depth: number, parent?: KeyPath): number {
    let size = 0;
    items.forEach((item, i) => {
      size += this.size(item, depth, { parent, segment: String(i) });
    });
    return size;
  }

  private duplicate(key: Node, first: Node, path: KeyPath): void {
    const at = this.lines.linePos(first.range?.[0] ?? 0);
    const here = this.lines.linePos(key.range?.[0] ?? 0);
    const where = at.line === here.line ? `line ${at.line}, column ${at.col}` : `line ${at.line}`;
    const name = joinKeyPath(path);
    this.add(key, `${name} appears twice (first at ${where}); keep one`, name);
  }

  private alias(source: string, node: Node): number {
    const target = this.anchors.get(source);
    const text = `*${source}`;
    if (!target) {
      // `hostnames: [*.example.com]` is an alias, not a wildcard: the parser accepts it and only fails when the data is read.
      this.add(node, `${text} reads as a YAML alias; to mean the text, quote it: "${text}"`);
      return 1;
    }
    if (target.open) {
      this.add(node, `${text} stands for the value that contains it; YAML data here cannot contain itself`);
      return 1;
    }
    this.aliasedValues += target.size;
    if (this.aliasedValues > YAML_LIMITS.aliasedValues) {
      const message = `the aliases up to here copy more than ${YAML_LIMITS.aliasedValues} values (each *name copies its anchor's whole value, aliases inside it included); write the values out instead`;
      this.once("aliasedValues", node, message);
    }
    return target.size;
  }

  private once(kind: Once, node: Node, message: string): void {
    if (this.reported.has(kind)) return;
    this.reported.add(kind);
    this.add(node, message);
  }

  private add(node: Node, message: string, path = ""): void {
    const { line, col } = this.lines.linePos(node.range?.[0] ?? 0);
    this.issues.push({ file: this.path, line, column: col, path, message });
  }
}

export function checkYamlNodes(path: string, doc: Document, lines: LineCounter): ConfigIssue[] {
  const walk = new NodeWalk(path, lines);
  walk.size(doc.contents, 0);
  return walk.issues;
}
