/**
 * The one way this module runs git: a spawn per command, with a timeout that
 * depends on the kind of operation, and git kept from ever waiting for a person.
 *
 * - clone, fetch and push talk to a remote. They run with `--progress`, and
 *   are killed after `networkSilenceMs` without a byte of output. git updates
 *   its progress once a second while data comes in, and data comes in packets
 *   of at most 64 KiB, so a stalled connection is cut and a slow one that still
 *   moves is not (at the default 120 s, anything above about 0.5 KiB/s).
 * - Every other command reads or writes the disk only, and is killed after
 *   `localMs` in all. `git archive` streams are the exception: their pace is
 *   their reader's (a build upload), and destroying the stream kills git.
 *
 * `GIT_TERMINAL_PROMPT=0` makes git fail rather than ask for a user name or
 * password, and each git runs in a session of its own, without a terminal, so
 * ssh cannot ask either. A timed-out git gets SIGTERM (so it removes its lock
 * files), its whole process group with it (the ssh or http helper that holds
 * the connection), and SIGKILL if it is still there a moment later.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { PassThrough, type Readable } from "node:stream";

export interface GitTimeouts {
  /** clone, fetch, push: killed after this long with no output. */
  networkSilenceMs: number;
  /** Every other command but streams: killed after this long in all. */
  localMs: number;
}

export const DEFAULT_GIT_TIMEOUTS: Readonly<GitTimeouts> = { networkSilenceMs: 120_000, localMs: 60_000 };

/** How long a git that got SIGTERM has to clean up before SIGKILL. */
const KILL_GRACE_MS = 2000;
/** Only the end of git's stderr is kept: it says what went wrong; progress never is. */
const STDERR_KEEP = 16 * 1024;

const NETWORK = new Set(["clone", "fetch", "push"]);

/** A line of git's progress display (ours or the remote's), which says nothing about a failure. */
const PROGRESS =
  /^(?:remote: )?(?:(?:Enumerating|Counting|Compressing|Receiving|Resolving|Writing|Unpacking|Finding) [a-z ]+: |Delta compression using|Total \d+ \(delta|$)/;

export type GitKind = "network" | "local";

/** Raised when git exits non-zero; `stderr` is git's own words (progress left out). */
export class GitProcessError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(stderr.trim() || `git ${subcommandOf(args) ?? ""} exited with ${exitCode}`);
    this.name = "GitProcessError";
  }
}

/** Raised when git was killed for taking too long; its first line says which limit struck. */
export class GitTimeoutError extends GitProcessError {
  constructor(args: readonly string[], kind: GitKind, limitMs: number, stderr: string) {
    const command = `git ${subcommandOf(args) ?? ""}`;
    const limit = `${limitMs / 1000} s`;
    const why =
      kind === "network"
        ? `${command} stalled: the remote sent nothing for ${limit}, so dockhand stopped it`
        : `${command} took longer than ${limit} (the limit for local git commands), so dockhand stopped it`;
    super(args, null, stderr.trim() ? `${why}\n${stderr}` : why);
    this.name = "GitTimeoutError";
  }
}

export interface GitRunOptions {
  /** Written to git's stdin, which is then closed. */
  input?: string;
  timeouts?: Partial<GitTimeouts>;
}

/** Where the git subcommand is in `args` (after global options such as `-c a=b`), or -1. */
function subcommandAt(args: readonly string[]): number {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "-c" || arg === "-C") i++;
    else if (!arg.startsWith("-")) return i;
  }
  return -1;
}

/** The git subcommand (`fetch` in `git -c a=b fetch origin`), or undefined for none. */
export function subcommandOf(args: readonly string[]): string | undefined {
  return args[subcommandAt(args)];
}

export function kindOf(args: readonly string[]): GitKind {
  return NETWORK.has(subcommandOf(args) ?? "") ? "network" : "local";
}

/** Network commands get `--progress` right after the subcommand; others are left as they are. */
function withProgress(args: readonly string[]): string[] {
  if (kindOf(args) !== "network") return [...args];
  const at = subcommandAt(args) + 1;
  return [...args.slice(0, at), "--progress", ...args.slice(at)];
}

interface Running {
  child: ChildProcess;
  /** git's stderr so far, without progress lines. */
  stderr(): string;
  /** Resolves with the exit code, or rejects with GitTimeoutError once a limit struck. */
  exited: Promise<number | null>;
}

function start(cwd: string, args: readonly string[], stdin: "pipe" | "ignore", limit?: Partial<GitTimeouts>): Running {
  const kind = kindOf(args);
  const timeouts = { ...DEFAULT_GIT_TIMEOUTS, ...limit };
  const child = spawnGit(cwd, withProgress(args), stdin);
  const lines = new StderrLines();
  let timedOut = false;
  const stop = () => {
    timedOut = true;
    killGroup(child, "SIGTERM");
    setTimeout(() => killGroup(child, "SIGKILL"), KILL_GRACE_MS).unref();
  };
  const limitMs = kind === "network" ? timeouts.networkSilenceMs : timeouts.localMs;
  const timer = setTimeout(stop, limitMs);
  const heard = () => {
    if (kind === "network" && !timedOut) timer.refresh();
  };
  child.stdout?.on("data", heard);
  child.stderr?.on("data", (b: Buffer) => {
    heard();
    lines.push(b.toString("utf8"));
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      // A git that ended well as the limit struck did its work.
      if (timedOut && code !== 0) reject(new GitTimeoutError(args, kind, limitMs, lines.text()));
      else resolve(code);
    });
  });
  return { child, stderr: () => lines.text(), exited };
}

/** git in a session of its own (no terminal to prompt on, one group to kill), never asking for credentials. */
function spawnGit(cwd: string, args: readonly string[], stdin: "pipe" | "ignore"): ChildProcess {
  return spawn("git", [...args], {
    cwd,
    stdio: [stdin, "pipe", "pipe"],
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
    detached: true,
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** git's stderr as lines, progress dropped, only the last STDERR_KEEP characters kept. */
export class StderrLines {
  private kept = "";
  private partial = "";

  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r\n|\r|\n/);
    this.partial = parts.pop() ?? "";
    const telling = parts.filter((l) => !PROGRESS.test(l));
    if (telling.length > 0) this.kept = `${this.kept}${telling.join("\n")}\n`.slice(-STDERR_KEEP);
  }

  text(): string {
    return PROGRESS.test(this.partial) ? this.kept : `${this.kept}${this.partial}`;
  }
}

/** Run git (stdin from `options.input`) and collect stdout as bytes; a non-zero exit rejects with GitProcessError. */
export async function gitBuffer(cwd: string, args: readonly string[], options: GitRunOptions = {}): Promise<Buffer> {
  const run = start(cwd, args, "pipe", options.timeouts);
  const out: Buffer[] = [];
  run.child.stdout?.on("data", (b: Buffer) => out.push(b));
  run.child.stdin?.on("error", () => undefined); // git may exit before reading all input; `close` reports why
  run.child.stdin?.end(options.input ?? "");
  const code = await run.exited;
  if (code !== 0) throw new GitProcessError(args, code, run.stderr());
  return Buffer.concat(out);
}

/** `gitBuffer` as text. */
export async function gitText(cwd: string, args: readonly string[], options: GitRunOptions = {}): Promise<string> {
  return (await gitBuffer(cwd, args, options)).toString("utf8");
}

/**
 * Stream git's stdout. The stream ends only after git exits 0; a non-zero exit
 * destroys it with `toError(GitProcessError)`. Destroying the stream kills git.
 */
export function gitStream(cwd: string, args: readonly string[], toError: (err: Error) => Error = (e) => e): Readable {
  const out = new PassThrough();
  // No limit of its own: the reader sets the pace.
  const child = spawnGit(cwd, args, "ignore");
  const lines = new StderrLines();
  child.stderr?.on("data", (b: Buffer) => lines.push(b.toString("utf8")));
  child.stdout?.pipe(out, { end: false });
  child.on("error", (e) => out.destroy(toError(e)));
  child.on("close", (code) => {
    if (code === 0) out.end();
    else if (!out.destroyed) out.destroy(toError(new GitProcessError(args, code, lines.text())));
  });
  out.on("close", () => killGroup(child, "SIGTERM"));
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
