import { describe, expect, it } from "vitest";
import { kindOf, StderrLines, subcommandOf } from "../../../src/git/run-git.js";

describe("subcommandOf and kindOf", () => {
  it.each([
    [["fetch", "--prune", "origin"], "fetch", "network"],
    [["-c", "user.name=fetch", "-c", "user.email=e", "commit-tree", "abc"], "commit-tree", "local"],
    [["-C", "/tmp/x", "push", "origin", "a:b"], "push", "network"],
    [["clone", "--bare", "--", "git://h/r.git", "/tmp/r"], "clone", "network"],
    [["cat-file", "--batch"], "cat-file", "local"],
    [["--version"], undefined, "local"],
  ])("%j is %s, %s", (args, sub, kind) => {
    expect(subcommandOf(args)).toBe(sub);
    expect(kindOf(args)).toBe(kind);
  });
});

describe("StderrLines", () => {
  it("keeps git's words and drops its progress, ours and the remote's, however the chunks fall", () => {
    const text = [
      "Cloning into bare repository '/tmp/r.git'...\n",
      "remote: Enumerating objects: 18, done.        \n",
      "remote: Counting objects:   5% (1/18)        \rremote: Counting objects: 100% (18/18), done.        \n",
      "Receiving objects:  33% (6/18), 52.00 KiB | 36.00 KiB/s\r",
      "remote: Total 18 (delta 1), reused 0 (delta 0), pack-reused 0        \n",
      "Delta compression using up to 2 threads\n",
      "Writing objects: 100% (3/3), 300 bytes | 300.00 KiB/s, done.\n",
      "Resolving deltas: 100% (1/1), done.\n",
      "remote: \n",
      " ! [rejected]        abc -> dockhand-status (fetch first)\n",
      "error: failed to push some refs to 'git://h/r.git'\n",
    ].join("");
    const lines = new StderrLines();
    for (let at = 0; at < text.length; at += 7) lines.push(text.slice(at, at + 7));
    expect(lines.text()).toBe(
      [
        "Cloning into bare repository '/tmp/r.git'...",
        " ! [rejected]        abc -> dockhand-status (fetch first)",
        "error: failed to push some refs to 'git://h/r.git'",
        "",
      ].join("\n"),
    );
  });

  it("keeps only the end of a long stderr", () => {
    const lines = new StderrLines();
    for (let i = 0; i < 2000; i++) lines.push(`warning: line ${i}\n`);
    const text = lines.text();
    expect(text.length).toBeLessThanOrEqual(16 * 1024);
    expect(text.endsWith("warning: line 1999\n")).toBe(true);
  });
});
