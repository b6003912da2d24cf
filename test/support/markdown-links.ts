/**
 * What GitHub would turn into a link, a mention, a reference or HTML in a
 * piece of markdown, outside code (GitHub links nothing inside code spans and
 * fenced blocks). Tests assert it finds nothing in what dockhand writes from
 * hostile input. Deliberately simple: code spans are matched on one line
 * (dockhand writes no others), so text that might not be code counts as text.
 */

/** Patterns GitHub acts on in rendered text, and raw HTML. */
const LINKABLE: Array<[string, RegExp]> = [
  ["mention or e-mail", /@[A-Za-z0-9]/g],
  ["issue reference", /#\d/g],
  ["GH- reference", /\bGH-\d/gi],
  ["URL", /\b[a-z][a-z0-9+.-]*:\/\//gi],
  ["www link", /\bwww\./gi],
  ["HTML", /(?<!\\)<[A-Za-z/!?]/g],
  ["entity", /(?<!\\)&#?[A-Za-z0-9]+;/g],
];

/** Fenced code blocks (``` or ~~~, closed by a run of the same character at least as long) become blank lines. */
function withoutFences(markdown: string): string {
  const out: string[] = [];
  let fence: { char: string; length: number } | undefined;
  for (const line of markdown.split(/\r\n|\r|\n/)) {
    const run = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (run?.[0] === fence.char && run.length >= fence.length && line.trim() === run) fence = undefined;
      out.push("");
    } else if (run && !(run[0] === "`" && line.slice(line.indexOf(run) + run.length).includes("`"))) {
      fence = { char: run[0]!, length: run.length };
      out.push("");
    } else {
      out.push(line);
    }
  }
  return out.join("\n");
}

/** Code spans on one line (a backtick run closed by a run of the same length; `\`` is no delimiter) removed. */
function withoutCodeSpans(line: string): string {
  let out = "";
  let i = 0;
  while (i < line.length) {
    if (line[i] === "\\") {
      out += line.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (line[i] !== "`") {
      out += line[i];
      i++;
      continue;
    }
    const run = /^`+/.exec(line.slice(i))![0];
    const close = new RegExp(`(?<!\`)${run}(?!\`)`).exec(line.slice(i + run.length));
    if (!close) {
      out += run;
      i += run.length;
      continue;
    }
    out += " ";
    i += run.length + close.index + run.length;
  }
  return out;
}

/** Each thing GitHub would link or render as HTML outside code, as `kind: text around it`. */
export function linkableOutsideCode(markdown: string): string[] {
  const text = withoutFences(markdown).split("\n").map(withoutCodeSpans).join("\n");
  const found: string[] = [];
  for (const [kind, pattern] of LINKABLE) {
    for (const m of text.matchAll(pattern)) {
      found.push(`${kind}: ${JSON.stringify(text.slice(Math.max(0, m.index - 20), m.index + 20))}`);
    }
  }
  return found;
}
