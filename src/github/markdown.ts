/**
 * Small markdown helpers for what dockhand writes to GitHub: input text that
 * renders as itself (`cell`, see src/model/markdown-text.ts), code spans and
 * fences that hold any text, and fitting under GitHub's limits (65,535
 * characters for a check run summary or text, 65,536 for a comment).
 *
 * Input goes either through `cell` (escaped, mentions, references and URLs
 * broken) or into code (`code`, `fenced`), never in between: GitHub links
 * nothing inside code, so a config issue or a log tail keeps its exact text
 * there, ready to copy.
 */
import { markdownText } from "../model/index.js";

export { escapeMarkdown } from "../model/index.js";

/** GitHub's limit for a check run's summary and text; comments allow one more. */
export const GITHUB_TEXT_LIMIT = 65_535;

/** Text from input in a table cell or a line: one line, no markup, nothing linked or mentioned. */
export const cell = markdownText;

/** Inline code that survives backticks inside; any line break (CR too: CommonMark ends lines there) becomes a space. */
export function code(text: string): string {
  const clean = text.replace(/\r\n|\r|\n/g, " ");
  const longest = Math.max(0, ...[...clean.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return longest > 0 ? `${fence} ${clean} ${fence}` : `${fence}${clean}${fence}`;
}

/**
 * Inline code inside a table row. GFM splits a row at every `|` not escaped, even inside a code span,
 * which would end the span and spill the rest of the text into the table as markdown; `\|` is shown as `|`.
 */
export function codeCell(text: string): string {
  return code(text).replace(/\|/g, "\\|");
}

/** A fenced block that no run of backticks inside can close early. */
export function fenced(text: string, language = "text"): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\s+$/, "")}\n${fence}`;
}

/** The last `lines` lines of `text`, at most `chars` characters. */
export function tail(text: string, lines: number, chars: number): string {
  const kept = text.replace(/\s+$/, "").split(/\r?\n/).slice(-lines).join("\n");
  return kept.length <= chars ? kept : `…${kept.slice(kept.length - chars + 1)}`;
}

/** `text` cut to `limit` characters with a note saying so. */
export function truncate(text: string, limit: number, note = "\n\n…(cut to fit GitHub's limit)\n"): string {
  if (text.length <= limit) return text;
  return text.slice(0, Math.max(0, limit - note.length)) + note;
}

/**
 * As many of `parts` as fit in `limit` (each joined with a newline), then
 * `overflow(n)` for the `n` left out; the overflow note always fits.
 */
export function fitParts(parts: string[], limit: number, overflow: (omitted: number) => string): string {
  const out: string[] = [];
  let used = 0;
  for (const [i, part] of parts.entries()) {
    const note = i === parts.length - 1 ? "" : overflow(parts.length - i - 1);
    if (used + part.length + 1 + note.length + 1 > limit) {
      out.push(overflow(parts.length - i));
      return out.join("\n");
    }
    out.push(part);
    used += part.length + 1;
  }
  return out.join("\n");
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} m ${String(whole % 60).padStart(2, "0")} s`;
}

export function shortSha(sha: string): string {
  return /^[0-9a-f]{40,64}$/.test(sha) ? sha.slice(0, 7) : sha;
}
