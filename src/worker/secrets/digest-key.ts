/**
 * The key secret digests are made with. Digests are part of spec hashes, so
 * every worker of an install, on every machine, must use the same key, or
 * each would see the others' containers as changed and roll them back and
 * forth. The key lives in the install's Redis; the state dir keeps a copy,
 * which seeds Redis the first time (an install from before the key moved
 * there keeps its digests) and serves commands that run without Redis.
 */
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Redis } from "ioredis";
import { readIfThere } from "./directory-secrets.js";

const HEX_KEY = /^[0-9a-f]{64}$/;

/** The key in `file`, made (32 random bytes) when missing; two processes at once agree on one. */
export async function fileDigestKey(file: string): Promise<Buffer> {
  const existing = (await readIfThere(file))?.trim();
  if (existing !== undefined && HEX_KEY.test(existing)) return Buffer.from(existing, "hex");
  await mkdir(dirname(file), { recursive: true });
  const key = randomBytes(32).toString("hex");
  // wx: two processes starting at once must not both write a key; the loser reads the winner's.
  try {
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: "wx" });
    return Buffer.from(key, "hex");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return fileDigestKey(file);
  }
}

/** The install's key from Redis (seeded from `file` when Redis has none), copied back to `file`. */
export async function sharedDigestKey(redis: Redis, redisKey: string, file: string): Promise<Buffer> {
  let key = await redis.get(redisKey);
  if (key === null || !HEX_KEY.test(key)) {
    const seed = (await fileDigestKey(file)).toString("hex");
    await redis.set(redisKey, seed, "NX");
    key = await redis.get(redisKey);
  }
  if (key === null || !HEX_KEY.test(key)) throw new Error(`Redis key ${redisKey} does not hold a secrets digest key`);
  if ((await readIfThere(file))?.trim() !== key) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${key}\n`, { mode: 0o600 });
  }
  return Buffer.from(key, "hex");
}
