/**
 * What can be refused before parsing, from the lexer's tokens: flow
 * collections nested too deep (`[[[[…]]]]` a megabyte long takes the parser
 * seconds, and its composer a stack overflow, before it gives up) and too many
 * aliases (a file of thousands of `*a`). The lexer is several times faster
 * than the parser, and stops at the first token past a limit. It sees `[`,
 * `{` and `*name` only as tokens of their own: never inside a quoted string, a
 * comment or a block scalar.
 */
import { CST, Lexer } from "yaml";
import type { ConfigIssue } from "../model/index.js";
import { TOO_DEEP, YAML_LIMITS } from "./yaml-limits.js";

/** Tokens the lexer adds that are not text of the file. */
const MARKERS = new Set<string>([CST.DOCUMENT, CST.FLOW_END, CST.SCALAR]);

const ALIAS = /^\*[^\s,[\]{}]+$/;

const TOO_MANY_ALIASES = `this is alias (*name) number ${YAML_LIMITS.aliases + 1} in the file; a file may have at most ${YAML_LIMITS.aliases}: write the values out instead`;

export function checkYamlTokens(path: string, source: string): ConfigIssue | undefined {
  // Too few of the characters to go past a limit: most files need no lexing.
  if (count(source, "[{") <= YAML_LIMITS.depth && count(source, "*") <= YAML_LIMITS.aliases) return undefined;
  let depth = 0;
  let aliases = 0;
  let offset = 0;
  for (const token of new Lexer().lex(source)) {
    if (token === "[" || token === "{") depth += 1;
    else if (token === "]" || token === "}") depth = Math.max(0, depth - 1);
    else if (ALIAS.test(token)) aliases += 1;
    if (depth > YAML_LIMITS.depth) return issueAt(path, source, offset, TOO_DEEP);
    if (aliases > YAML_LIMITS.aliases) return issueAt(path, source, offset, TOO_MANY_ALIASES);
    if (!MARKERS.has(token)) offset += token.length;
  }
  return undefined;
}

function count(source: string, characters: string): number {
  let found = 0;
  for (let i = 0; i < source.length; i++) if (characters.includes(source.charAt(i))) found += 1;
  return found;
}

function issueAt(path: string, source: string, offset: number, message: string): ConfigIssue {
  const before = source.slice(0, offset);
  const column = offset - (before.lastIndexOf("\n") + 1) + 1;
  return { file: path, line: before.split("\n").length, column, path: "", message };
}
