import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { isRemoteUrl, mirrorName, normaliseRepo, redactUrl } from "../../../src/git/git-url.js";

describe("isRemoteUrl", () => {
  it.each([
    ["https://github.com/acme/deploy.git", true],
    ["ssh://git@github.com/acme/deploy.git", true],
    ["git@github.com:acme/deploy.git", true],
    ["github.com:acme/deploy.git", true],
    ["file:///srv/deploy.git", true],
    ["/srv/deploy.git", false],
    ["./deploy", false],
    ["deploy", false],
    ["./a:b", false],
    ["../x/y:z", false],
  ])("%s ─▶ %s", (repo, expected) => {
    expect(isRemoteUrl(repo)).toBe(expected);
  });
});

describe("normaliseRepo", () => {
  it.each([
    ["https://github.com/acme/deploy.git", "https://github.com/acme/deploy.git"],
    ["git@github.com:acme/deploy.git", "git@github.com:acme/deploy.git"],
    ["/srv/deploy.git/", "/srv/deploy.git"],
    ["./deploy", resolve("deploy")],
    ["file:///srv/deploy%20repo", "/srv/deploy repo"],
  ])("%s ─▶ %s", (repo, expected) => {
    expect(normaliseRepo(repo)).toBe(expected);
  });
});

describe("redactUrl", () => {
  it.each([
    ["https://x-access-token:ghs_secret@github.com/acme/deploy.git", "https://***@github.com/acme/deploy.git"],
    ["https://ghp_token@github.com/a/b", "https://***@github.com/a/b"],
    ["https://github.com/a/b", "https://github.com/a/b"],
    ["git@github.com:a/b.git", "git@github.com:a/b.git"],
    ["/srv/a@b", "/srv/a@b"],
  ])("%s ─▶ %s", (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe("mirrorName", () => {
  it.each([
    ["https://github.com/acme/deploy.git", /^deploy-[0-9a-f]{16}\.git$/],
    ["/srv/repos/site/", /^site-[0-9a-f]{16}\.git$/],
    ["https://u:secret@host/x y", /^x_y-[0-9a-f]{16}\.git$/],
  ])("%s ─▶ %s", (url, expected) => {
    expect(mirrorName(url)).toMatch(expected);
  });

  it("differs for URLs with the same last segment", () => {
    expect(mirrorName("https://a.example/x/deploy.git")).not.toBe(mirrorName("https://b.example/x/deploy.git"));
  });

  it("never contains the credentials", () => {
    expect(mirrorName("https://u:secret@host/deploy")).not.toContain("secret");
  });
});
