/**
 * `dockhand plan` shows what a sync could not apply as errors, as the sync's
 * own plan does: an app whose source repository cannot be fetched, and one
 * whose secret is missing, next to an app that plans as usual.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../support/dockhand-process.js";
import { testbed } from "../../support/testbed.js";

describe("dockhand plan", () => {
  it("shows apps it cannot plan as errors with their reason, and plans the rest", async () => {
    const root = mkdtempSync(join(tmpdir(), "dockhand-plan-"));
    const repo = join(root, "deploy");
    mkdirSync(join(repo, "apps"), { recursive: true });
    writeFileSync(
      join(repo, "dockhand.yaml"),
      `hosts:\n  alpha: { docker: "${testbed().alpha}", address: 127.0.0.1 }\n`,
    );
    const gone = join(root, "no-such-repository.git");
    writeFileSync(join(repo, "apps/site.yaml"), `name: site\nbuild: { git: ${gone}, context: . }\nport: 8080\n`);
    writeFileSync(join(repo, "apps/api.yaml"), "name: api\nimage: busybox:stable\nport: 8080\nsecrets: [TOKEN]\n");
    writeFileSync(join(repo, "apps/web.yaml"), "name: web\nimage: busybox:stable\nport: 8080\n");
    mkdirSync(join(root, "secrets"));
    const result = await runCli(["plan", "--repo", repo], {
      DOCKHAND_STATE_DIR: join(root, "state"),
      DOCKHAND_SECRETS_DIR: join(root, "secrets"),
      DOCKHAND_INSTANCE: `t${randomBytes(3).toString("hex")}`,
      REDIS_URL: "",
    });
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines.find((l) => /^\s*! error\s+site\b/.test(l))).toMatch(
      new RegExp(
        `cannot build site: could not fetch ${gone}: .*; what runs stays until the repository can be read again`,
      ),
    );
    expect(lines.find((l) => /^\s*! error\s+api\b/.test(l))).toContain("TOKEN");
    expect(lines.find((l) => /^\s*\+ create\s+web\b/.test(l))).toBeDefined();
  });
});
