/**
 * `dockhand rollback` brings back a kept container, which has its secrets in
 * its env like any other: when it prints one and dies, the command's output
 * (the failure, its log lines, the log) shows the value masked.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedDigestKey } from "../../src/worker/secrets/digest-key.js";
import { DirectorySecrets } from "../../src/worker/secrets/directory-secrets.js";
import { APP_PORT, appYaml, createRolloutBed, type RolloutBed } from "../integration/rollout/rollout-fixtures.js";
import { runCli } from "../support/dockhand-process.js";
import { testbed } from "../support/testbed.js";
import { leaks, MASKED, TOKEN } from "./secrets-forms.js";

let bed: RolloutBed;
let secretsDir: string;
let markDir: string;

/** Serves, unless /m/die exists when it starts: then it prints its secret and exits a moment later. */
const COMMAND = `[sh, -c, 'if [ -f /m/die ]; then echo "dying with $API_TOKEN"; sleep 1; exit 3; fi; mkdir -p /www && echo ok > /www/healthz && exec httpd -f -p ${APP_PORT} -h /www']`;

function api(page: string): string {
  return appYaml("api", bed.image, {
    replicas: "1",
    env: `{ PAGE: ${page} }`,
    secrets: "[API_TOKEN]",
    command: COMMAND,
    volumes: `[{ source: ${markDir}, target: /m }]`,
    health: "{ path: /healthz, within: 20s, stable: 200ms }",
    rollout: "{ drain: 0s, retain: 1 }",
  });
}

beforeAll(async () => {
  bed = await createRolloutBed();
  secretsDir = mkdtempSync(join(tmpdir(), "dockhand-secrets-"));
  markDir = mkdtempSync(join(tmpdir(), "dockhand-mark-"));
  writeFileSync(join(secretsDir, "API_TOKEN"), TOKEN);
  const secrets = new DirectorySecrets({
    dir: secretsDir,
    // The key `dockhand rollback` finds in Redis, so both see the same spec hashes.
    key: () =>
      sharedDigestKey(bed.redis, `${bed.prefix}secrets-digest-key`, join(bed.dir, ".state", "secrets-digest.key")),
  });
  for (const page of ["v1", "v2"]) {
    bed.writeApp("api", api(page));
    expect((await bed.sync({}, { secrets })).status).toBe("succeeded");
  }
});

afterAll(async () => {
  await bed?.close();
  rmSync(secretsDir, { recursive: true, force: true });
  rmSync(markDir, { recursive: true, force: true });
});

describe("dockhand rollback to a version that prints its secret", () => {
  it("reports the failure with the value masked", async () => {
    writeFileSync(join(markDir, "die"), "");
    const result = await runCli(["rollback", "api", "--repo", bed.dir], {
      REDIS_URL: testbed().redisUrl,
      DOCKHAND_INSTANCE: bed.instance,
      DOCKHAND_STATE_DIR: `${bed.dir}/.state`,
      DOCKHAND_SECRETS_DIR: secretsDir,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`| dying with ${MASKED}`);
    expect(leaks(result.stdout + result.stderr)).toEqual([]);
  });
});
