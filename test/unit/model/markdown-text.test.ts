import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeMarkdown, markdownText, unlinked, WORD_JOINER } from "../../../src/model/index.js";
import { linkableOutsideCode } from "../../support/markdown-links.js";

const J = WORD_JOINER;

describe("markdownText", () => {
  const cases: Array<[string, string, string]> = [
    ["plain words stay as they are", "web failed its health check", "web failed its health check"],
    ["a mention", "ping @someone now", `ping @${J}someone now`],
    ["a team mention", "@acme/admins", `@${J}acme/admins`],
    ["an e-mail address", "ops@example.com", `ops@${J}example.com`],
    ["an issue reference", "fixes #1", `fixes #${J}1`],
    ["a cross-repository reference", "acme/web#12", `acme/web#${J}12`],
    ["a GH- reference", "see GH-7 and gh-8", `see GH${J}-7 and gh${J}-8`],
    ["an https URL", "https://evil.example/x", `https:${J}//evil.example/x`],
    ["another scheme", "ftp://evil.example", `ftp:${J}//evil.example`],
    ["a www link", "www.evil.example", `www${J}.evil.example`],
    ["an image digest (outside code)", "web@sha256:ab", `web@${J}sha256:ab`],
    ["a heading marker", "# not a heading", "\\# not a heading"],
    ["a list marker", "- item", "\\- item"],
    ["an ordered list marker", "1. item", "1\\. item"],
    ["a setext underline", "=== x", "\\=== x"],
    ["a # that is no reference", "a #b", "a #b"],
    ["HTML", '<img src="x">', '\\<img src="x"\\>'],
    ["an entity that would become @", "&#64;someone", `\\&#${J}64;someone`],
    ["a link", "[click](https://evil.example)", `\\[click\\](https:${J}//evil.example)`],
    ["an image", "![x](y)", "!\\[x\\](y)"],
    ["emphasis and strikethrough", "*a* _b_ ~~c~~", "\\*a\\* \\_b\\_ \\~\\~c\\~\\~"],
    ["a code span opener", "`x", "\\`x"],
    ["a fence", "```\ncode", "\\`\\`\\` code"],
    ["a table pipe", "a|b", "a\\|b"],
    ["a backslash", "C:\\dir", "C:\\\\dir"],
    ["every line ending (CR too)", "a\r\nb\rc\nd", "a b c d"],
  ];
  it.each(cases)("neutralises %s", (_what, input, expected) => {
    expect(markdownText(input)).toBe(expected);
  });

  it("leaves nothing GitHub would link or render as HTML, whatever the input", () => {
    const pieces = fc.constantFrom(
      "@",
      "#",
      "1",
      "a",
      "GH-",
      "://",
      "https",
      "www.",
      "<",
      ">",
      "&",
      "`",
      "\\",
      "\n",
      "\r",
      " ",
      "|",
      ";",
      "x.y",
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }), (parts) => {
        const out = markdownText(parts.join(""));
        expect(linkableOutsideCode(out)).toEqual([]);
        expect(out).not.toMatch(/[\r\n]/);
      }),
    );
  });

  it("reads as the input once the word joiners are taken out and escapes undone", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-ascii" }), (text) => {
        const oneLine = text.replace(/\r\n|\r|\n/g, " ");
        const shown = markdownText(text).replaceAll(J, "").replace(/\\(.)/g, "$1");
        expect(shown).toBe(oneLine);
      }),
    );
  });

  it("is escapeMarkdown after unlinked", () => {
    expect(markdownText("@a <b>")).toBe(escapeMarkdown(unlinked("@a <b>")));
  });
});
