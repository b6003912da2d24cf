/**
 * Real git repos on disk for the tests: a work tree made from a file map,
 * committed with the git binary (never through the code under test).
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { extract } from "tar-stream";

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8" }).trim();
}

/** A file's content, or `{ exec }` for an executable (0755), or `{ content, mode }`, or `{ link }` for a symlink. */
export type FixtureFile = string | { exec: string } | { content: string; mode: number } | { link: string };

export function writeFiles(root: string, files: Record<string, FixtureFile>): void {
  for (const [path, spec] of Object.entries(files)) {
    const abs = join(root, path);
    mkdirSync(dirname(abs), { recursive: true });
    rmSync(abs, { force: true });
    if (typeof spec === "string") {
      writeFileSync(abs, spec);
      chmodSync(abs, 0o644);
    } else if ("exec" in spec) {
      writeFileSync(abs, spec.exec);
      chmodSync(abs, 0o755);
    } else if ("mode" in spec) {
      writeFileSync(abs, spec.content);
      chmodSync(abs, spec.mode);
    } else {
      symlinkSync(spec.link, abs);
    }
  }
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `dockhand-${prefix}-`));
}

/** A non-bare repo on branch main with one commit of `files`. */
export function makeRepo(files: Record<string, FixtureFile>): string {
  const dir = tempDir("repo");
  git(dir, "init", "-q", "-b", "main");
  writeFiles(dir, files);
  commitAll(dir, "initial");
  return dir;
}

export function commitAll(dir: string, message: string): string {
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "--allow-empty", "-m", message);
  return git(dir, "rev-parse", "HEAD");
}

export interface TarEntry {
  type: string;
  mode: number;
  content: string;
  linkname?: string;
}

/** Every entry of a tar stream by name; rejects with the stream's error. */
export async function readTar(stream: Readable): Promise<Record<string, TarEntry>> {
  const entries: Record<string, TarEntry> = {};
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on("data", (c: unknown) => chunks.push(c as Buffer));
      body.on("end", () => {
        entries[header.name] = {
          type: header.type ?? "file",
          mode: (header.mode ?? 0) & 0o777,
          content: Buffer.concat(chunks).toString("utf8"),
          ...(header.linkname ? { linkname: header.linkname } : {}),
        };
        next();
      });
    });
    ex.on("finish", resolve);
    ex.on("error", reject);
    stream.on("error", reject);
  });
  stream.pipe(ex);
  await done;
  return entries;
}
