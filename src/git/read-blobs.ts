/**
 * Reads many blobs with one `git cat-file --batch`: for each hash on stdin,
 * git answers `<hash> <type> <size>\n<content>\n` (or `<hash> missing\n`).
 */
import { type GitTimeouts, gitBuffer } from "./run-git.js";

export function parseCatFileBatch(output: Buffer): Map<string, Buffer> {
  const blobs = new Map<string, Buffer>();
  let at = 0;
  while (at < output.length) {
    const eol = output.indexOf(0x0a, at);
    if (eol < 0) throw new Error("truncated git cat-file output");
    const header = output.subarray(at, eol).toString("utf8");
    const m = /^([0-9a-f]{40,64}) (\S+) (\d+)$/.exec(header);
    if (!m) throw new Error(`git cat-file: ${header}`);
    const size = Number(m[3]);
    const start = eol + 1;
    if (start + size > output.length) throw new Error("truncated git cat-file output");
    blobs.set(m[1]!, output.subarray(start, start + size));
    at = start + size + 1;
  }
  return blobs;
}

export async function readBlobs(
  gitDir: string,
  hashes: readonly string[],
  timeouts?: Partial<GitTimeouts>,
): Promise<Map<string, Buffer>> {
  if (hashes.length === 0) return new Map();
  const input = `${[...new Set(hashes)].join("\n")}\n`;
  const output = await gitBuffer(gitDir, ["cat-file", "--batch"], { input, timeouts });
  return parseCatFileBatch(output);
}
