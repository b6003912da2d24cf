/**
 * Flow collections nested too deep, found before parsing: `[[[[…]]]]` a
 * megabyte long takes the parser seconds (and its composer a stack overflow)
 * before it gives up. The lexer sees `[` and `{` as tokens of their own
 * (never inside a quoted string, a comment or a block scalar) and stops here
 * at the first one too deep.
 */
import { CST, Lexer } from "yaml";
import type { ConfigIssue } from "../model/index.js";
import { TOO_DEEP, YAML_LIMITS } from "./yaml-limits.js";

/** Tokens the lexer adds that are not text of the file. */
const MARKERS = new Set<string>([CST.DOCUMENT, CST.FLOW_END, CST.SCALAR]);

export function checkFlowDepth(path: string, source: string): ConfigIssue | undefined {
  if (!mayNestDeeply(source)) return undefined;
  let depth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(source)) {
    if (token === "[" || token === "{") depth += 1;
    else if (token === "]" || token === "}") depth = Math.max(0, depth - 1);
    if (depth > YAML_LIMITS.depth) {
      return { file: path, ...positionOf(source, offset), path: "", message: TOO_DEEP };
    }
    if (!MARKERS.has(token)) offset += token.length;
  }
  return undefined;
}

/** Too few brackets to nest that deep: most files need no lexing. */
function mayNestDeeply(source: string): boolean {
  let opening = 0;
  for (let i = 0; i < source.length; i++) {
    const code = source.charCodeAt(i);
    if (code === 0x5b || code === 0x7b) opening += 1;
    if (opening > YAML_LIMITS.depth) return true;
  }
  return false;
}

function positionOf(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, column: offset - lineStart + 1 };
}
