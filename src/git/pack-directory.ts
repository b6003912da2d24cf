/**
 * A tar of working-tree files, shaped like `git archive`: regular files 0644
 * or 0755, symlinks as symlinks, a fixed mtime so one content gives one tar.
 */
import { readFile, readlink } from "node:fs/promises";
import { Readable } from "node:stream";
import { pack } from "tar-stream";
import type { WorktreeFile } from "./list-worktree.js";

const EPOCH = new Date(0);

function addEntry(
  tar: ReturnType<typeof pack>,
  header: Parameters<ReturnType<typeof pack>["entry"]>[0],
  body?: Buffer,
) {
  return new Promise<void>((resolve, reject) => {
    // The callback waits until the consumer has taken the bytes: backpressure per entry.
    const done = (err?: Error | null) => (err ? reject(err) : resolve());
    if (body) tar.entry(header, body, done);
    else tar.entry(header, done);
  });
}

async function fill(tar: ReturnType<typeof pack>, files: () => Promise<readonly WorktreeFile[]>): Promise<void> {
  for (const file of await files()) {
    if (file.mode === "120000") {
      await addEntry(tar, {
        name: file.path,
        type: "symlink",
        linkname: await readlink(file.absPath),
        mode: 0o777,
        mtime: EPOCH,
      });
    } else {
      const body = await readFile(file.absPath);
      const mode = file.mode === "100755" ? 0o755 : 0o644;
      await addEntry(tar, { name: file.path, type: "file", size: body.length, mode, mtime: EPOCH }, body);
    }
  }
  tar.finalize();
}

/** `files` have paths relative to the tar's root; listing and reading start when the stream is created. */
export function packFiles(files: () => Promise<readonly WorktreeFile[]>, toError: (err: Error) => Error): Readable {
  const tar = pack();
  fill(tar, files).catch((err: unknown) => tar.destroy(toError(err instanceof Error ? err : new Error(String(err)))));
  // tar-stream is a streamx stream; hand callers a plain Node Readable.
  const out = Readable.from(tar, { objectMode: false });
  return out;
}
