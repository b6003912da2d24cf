import { describe, expect, it } from "vitest";
import { isDeployFile } from "../../../src/git/deploy-files.js";
import { normaliseDir } from "../../../src/git/git-repo.js";

describe("isDeployFile", () => {
  it.each([
    ["dockhand.yaml", true],
    ["apps/web.yaml", true],
    ["apps/my.api.yaml", true],
    ["apps/web.yml", false],
    ["apps/nested/web.yaml", false],
    ["services/web/dockhand.yaml", false],
    ["apps/.yaml", false],
    ["README.md", false],
  ])("%s ─▶ %s", (path, expected) => {
    expect(isDeployFile(path)).toBe(expected);
  });
});

describe("normaliseDir", () => {
  it.each([
    ["", ""],
    [".", ""],
    ["./", ""],
    ["services/web", "services/web"],
    ["./services/web/", "services/web"],
    ["services/web//", "services/web"],
  ])("%j ─▶ %j", (dir, expected) => {
    expect(normaliseDir(dir)).toBe(expected);
  });
});
