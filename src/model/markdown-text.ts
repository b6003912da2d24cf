/**
 * Text that came from outside (a YAML value in an error message, a hook's
 * command, a host name, a reason) as GitHub-flavoured markdown that shows
 * exactly that text on one line, and does nothing else. The planner and
 * src/github both put such text into PR comments and check runs, which a
 * pull request from a stranger can fill.
 *
 * Two things are neutralised:
 * - Markup: a line break, `|`, `<`, `>`, `*`, `_`, `~`, `[`, `]`, backticks,
 *   `&` and `\` are escaped, and so is a block marker at the start (`#`,
 *   `-`, `+`, `=`, `1.`), so the text can neither open HTML, a link, a code
 *   span or a heading, nor end a table row or the line it is in. `&` matters:
 *   `&#64;` would turn into `@` before GitHub looks for mentions.
 * - What GitHub links by itself in rendered text: `@user` and `@org/team`
 *   mentions (they notify), `#123`, `owner/repo#123` and `GH-123` references
 *   (they add a "mentioned" event to that issue), e-mail addresses and bare
 *   URLs (`https://…`, `www.…`). A WORD JOINER (U+2060, invisible, no line
 *   break) goes after `@` and `#` and into `://`, `www.` and `GH-`: the text
 *   reads the same, and no longer matches. Backslash escapes cannot do this:
 *   GitHub finds mentions and references in the text after markdown is
 *   rendered.
 *
 * Text inside a code span or a fenced block needs none of this: GitHub
 * autolinks, mentions and references nothing in code, and entities are not
 * decoded there. So dockhand puts long input (config issues, log tails) in
 * code (src/github/markdown.ts `code`, `fenced`) and uses this for the rest.
 */

/** U+2060 WORD JOINER: zero width, and no line may break at it. */
export const WORD_JOINER = "\u2060";

/** Input text on one line, with markdown's markup escaped (no autolink neutralising: for link text). */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, " ")
    .replace(/\\/g, "\\\\")
    .replace(/[|<>*_~[\]`&]/g, "\\$&")
    .replace(/^(\s*)([#+=-])/, "$1\\$2")
    .replace(/^(\s*\d+)([.)])/, "$1\\$2");
}

/** What GitHub would link by itself, broken with a word joiner (see the file's comment). */
export function unlinked(text: string): string {
  const j = WORD_JOINER;
  return text
    .replace(/@(?=[A-Za-z0-9])/g, `@${j}`)
    .replace(/#(?=\d)/g, `#${j}`)
    .replace(/\b(GH)-(?=\d)/gi, `$1${j}-`)
    .replace(/:\/\//g, `:${j}//`)
    .replace(/\b(www)\./gi, `$1${j}.`);
}

/** Input text as markdown that shows exactly that text, on one line, linking and mentioning nothing. */
export function markdownText(text: string): string {
  return escapeMarkdown(unlinked(text));
}
