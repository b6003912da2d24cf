/**
 * Issue 3, "Done when": the text plan of deploy-repo-example after editing one
 * app shows only that app. Real files on disk (DirectoryRepo), real config,
 * the planner, and its simulated apply standing in for the engines.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDeployRepo } from "../../../src/config/index.js";
import { DirectoryRepo } from "../../../src/git/index.js";
import type { ObservedState } from "../../../src/model/index.js";
import { plan, renderPlanText, simulateApply } from "../../../src/planner/index.js";
import { copyExample } from "../../support/deploy-repo.js";

async function desiredOf(dir: string) {
  return parseDeployRepo(await new DirectoryRepo({ dir }).snapshot());
}

function empty(hosts: string[]): ObservedState {
  return { hosts: hosts.map((name) => ({ name, reachable: true, containers: [], images: [] })) };
}

describe("the plan of deploy-repo-example", () => {
  it("after editing one app's file shows only that app, naming the changed field", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dockhand-example-"));
    copyExample(dir, { stack: true });
    const first = await desiredOf(dir);
    const live = simulateApply(empty(first.hosts.map((h) => h.name)), plan(first, empty(["alpha", "beta"])));
    expect(renderPlanText(plan(first, live), { color: false })).toContain("No changes");

    const file = join(dir, "apps/api.yaml");
    writeFileSync(file, `${readFileSync(file, "utf8")}env:\n  MODE: fast\n`);
    const text = renderPlanText(plan(await desiredOf(dir), live), { color: false });
    const lines = text.split("\n").filter((l) => /^\s+[~+-]/.test(l));
    expect(lines.length).toBe(2);
    for (const line of lines)
      expect(line).toMatch(/~ replace\s+api\s+production\s+slot [01]\s+(alpha|beta)\s+env MODE added/);
    expect(text).not.toMatch(/\bweb\b/);
    expect(text).toContain("Plan: 0 to create, 2 to replace, 0 to remove, 3 apps unchanged.");
  });
});
