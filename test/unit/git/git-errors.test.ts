import { describe, expect, it } from "vitest";
import { fetchFailed, firstStderrLine, readFailed, unknownRef } from "../../../src/git/git-errors.js";

describe("firstStderrLine", () => {
  it.each([
    ["fatal: repository '/nope' does not exist\n", "repository '/nope' does not exist"],
    ["Cloning into bare repository 'x'...\nfatal: could not read Username\n", "could not read Username"],
    ["warning: redirecting to https://x/\nfatal: Authentication failed\n", "Authentication failed"],
    [
      "ssh: connect to host h port 22: Connection refused\nfatal: Could not read from remote repository.\n\nPlease make sure\n",
      "ssh: connect to host h port 22: Connection refused",
    ],
    ["\n\nwarning: something\n", "warning: something"],
    ["error: cannot lock ref 'refs/heads/main'\nfatal: x\n", "cannot lock ref 'refs/heads/main'"],
    ["", "git failed without a message"],
  ])("%j ─▶ %j", (stderr, expected) => {
    expect(firstStderrLine(stderr)).toBe(expected);
  });
});

describe("git errors", () => {
  const url = "https://u:tok@example.com/deploy.git";
  it.each([
    [
      "fetchFailed",
      fetchFailed(url, new Error(`fatal: unable to access '${url}/': Could not resolve host`)),
      "could not fetch https://***@example.com/deploy.git: unable to access 'https://***@example.com/deploy.git/': Could not resolve host",
      true,
    ],
    [
      "readFailed",
      readFailed(url, "the tree of abc", new Error("fatal: bad object abc")),
      "could not read the tree of abc from https://***@example.com/deploy.git: bad object abc",
      true,
    ],
    [
      "unknownRef",
      unknownRef(url, "nope"),
      'unknown ref "nope" in https://***@example.com/deploy.git: expected a branch, a tag or a commit sha that exists there',
      false,
    ],
  ])("%s", (_name, err, message, transient) => {
    expect(err.code).toBe("DOCKHAND_E_GIT");
    expect(err.message).toBe(message);
    expect(err.transient).toBe(transient);
    expect(err.message).not.toContain("tok");
  });
});
