/**
 * The secrets digest key on a real Redis: two workers with their own state
 * dirs (two machines) digest a secret alike; an install whose key was only in
 * its state dir keeps it (Redis is seeded from it), and the state dir gets
 * the shared key for commands that run without Redis.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { fileDigestKey, sharedDigestKey } from "../../../../src/worker/secrets/digest-key.js";
import { DirectorySecrets } from "../../../../src/worker/secrets/directory-secrets.js";
import { testbed } from "../../../support/testbed.js";

const redis = new Redis(testbed().redisUrl, { maxRetriesPerRequest: null });
const root = mkdtempSync(join(tmpdir(), "dockhand-digest-"));
const keyOf = (name: string) => `dockhand:t${randomBytes(3).toString("hex")}:${name}`;

function secretsOn(machine: string, redisKey: string): DirectorySecrets {
  const file = join(root, machine, "secrets-digest.key");
  return new DirectorySecrets({ dir: join(root, "secrets"), key: () => sharedDigestKey(redis, redisKey, file) });
}

afterAll(async () => {
  const keys = await redis.keys("dockhand:t*:secrets-digest-key");
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  rmSync(root, { recursive: true, force: true });
});

describe("the secrets digest key", () => {
  it("is one key for every machine of an install, even one that has none yet", async () => {
    const redisKey = keyOf("secrets-digest-key");
    const [a, b] = await Promise.all([
      secretsOn("a", redisKey).digest("s3cret"),
      secretsOn("b", redisKey).digest("s3cret"),
    ]);
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(root, "a", "secrets-digest.key"), "utf8")).toBe(
      readFileSync(join(root, "b", "secrets-digest.key"), "utf8"),
    );
  });

  it("keeps the key an install already had in its state dir", async () => {
    const redisKey = keyOf("secrets-digest-key");
    const file = join(root, "old", "secrets-digest.key");
    const before = await fileDigestKey(file);
    expect((await sharedDigestKey(redis, redisKey, file)).equals(before)).toBe(true);
    expect(await redis.get(redisKey)).toBe(before.toString("hex"));
  });

  it("gives a machine whose state dir has another key the install's key", async () => {
    const redisKey = keyOf("secrets-digest-key");
    const shared = await sharedDigestKey(redis, redisKey, join(root, "first", "secrets-digest.key"));
    const other = join(root, "second", "secrets-digest.key");
    mkdirSync(join(root, "second"));
    writeFileSync(other, `${"ab".repeat(32)}\n`);
    expect((await sharedDigestKey(redis, redisKey, other)).equals(shared)).toBe(true);
    expect(readFileSync(other, "utf8").trim()).toBe(shared.toString("hex"));
  });
});
