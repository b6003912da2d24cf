import { describe, expect, it } from "vitest";
import { ownerAndName } from "../../../src/model/owner-and-name.js";

describe("ownerAndName of a build.git URL", () => {
  it.each<[string, string | undefined]>([
    ["https://github.com/acme/web.git", "acme/web"],
    ["https://github.com/Acme/Web", "acme/web"],
    ["https://ghe.example.com/acme/web.git/", "acme/web"],
    ["git@github.com:acme/web.git", "acme/web"],
    ["ssh://git@github.com:22/acme/web.git", "acme/web"],
    ["https://gitlab.example.com/group/sub/web.git", "sub/web"],
    ["/srv/git/acme/web.git", "acme/web"],
    ["/web.git", undefined],
  ])("%s ─▶ %s", (url, expected) => {
    expect(ownerAndName(url)).toBe(expected);
  });
});
