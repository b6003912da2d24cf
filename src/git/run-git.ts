/**
 * The one way this module runs git: simple-git for commands with text output,
 * and a plain spawn for the two whose output is binary or streamed
 * (`cat-file --batch`, `archive`), which simple-git (whole string output)
 * does not fit.
 */
import { spawn } from "node:child_process";
import { PassThrough, type Readable } from "node:stream";
import { type SimpleGit, simpleGit } from "simple-git";

/** Kill a git process that prints nothing for this long (a hung connection, a credential prompt). */
export const GIT_BLOCK_TIMEOUT_MS = 120_000;

/** simple-git in `dir` (which must exist). No custom env: simple-git refuses some inherited variables there. */
export function gitAt(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir, timeout: { block: GIT_BLOCK_TIMEOUT_MS } });
}

/** Raised when git exits non-zero; `stderr` is git's own words. */
export class GitProcessError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(stderr.trim() || `git ${args[0] ?? ""} exited with ${exitCode}`);
    this.name = "GitProcessError";
  }
}

/** Run git with `input` on stdin and collect stdout as bytes. */
export function gitBuffer(cwd: string, args: readonly string[], input: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new GitProcessError(args, code, Buffer.concat(err).toString("utf8")));
    });
    child.stdin.on("error", () => undefined); // git may exit before reading all input; `close` reports why
    child.stdin.end(input);
  });
}

/**
 * Stream git's stdout. The stream ends only after git exits 0; a non-zero exit
 * destroys it with `toError(GitProcessError)`. Destroying the stream kills git.
 */
export function gitStream(cwd: string, args: readonly string[], toError: (err: Error) => Error = (e) => e): Readable {
  const out = new PassThrough();
  const child = spawn("git", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  const err: Buffer[] = [];
  child.stderr.on("data", (b: Buffer) => err.push(b));
  child.stdout.pipe(out, { end: false });
  child.on("error", (e) => out.destroy(toError(e)));
  child.on("close", (code) => {
    if (code === 0) out.end();
    else if (!out.destroyed) out.destroy(toError(new GitProcessError(args, code, Buffer.concat(err).toString("utf8"))));
  });
  out.on("close", () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  });
  return out;
}

/**
 * A Readable now for a stream that needs async work (a fetch) before it
 * exists; a failure of that work destroys it with `toError(err)`.
 */
export function deferredStream(open: () => Promise<Readable>, toError: (err: Error) => Error): Readable {
  const out = new PassThrough();
  open().then(
    (source) => {
      if (out.destroyed) {
        source.destroy();
        return;
      }
      source.on("error", (e) => out.destroy(e));
      out.on("close", () => source.destroy());
      source.pipe(out);
    },
    (err: unknown) => out.destroy(toError(err instanceof Error ? err : new Error(String(err)))),
  );
  return out;
}
