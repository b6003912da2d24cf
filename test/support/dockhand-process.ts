/**
 * Runs the real `dockhand` CLI (bin/dockhand.js, from source) as a child process,
 * as a user would, collecting its JSON log lines.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";

const ROOT = join(import.meta.dirname, "..", "..");
// The real entry point, made to run the TypeScript source so tests never see a stale build.
const BIN = join(ROOT, "bin", "dockhand.js");
const FROM_SOURCE = { DOCKHAND_FROM_SOURCE: "1" };

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one dockhand command to completion. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: "1", ...FROM_SOURCE, ...env }, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export interface DockhandProcess {
  child: ChildProcess;
  /** Every log line so far, parsed when it is JSON. */
  lines: Array<Record<string, unknown>>;
  /** Log lines whose `msg` equals `msg`. */
  logged(msg: string): Array<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startDockhand(args: string[], env: Record<string, string | undefined>): DockhandProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...FROM_SOURCE, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Array<Record<string, unknown>> = [];
  const collect = (line: string) => {
    if (!line.trim()) return;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      lines.push({ msg: line });
    }
  };
  // Line by line: a chunk boundary must never split a JSON log line.
  if (child.stdout) createInterface({ input: child.stdout }).on("line", collect);
  if (child.stderr) createInterface({ input: child.stderr }).on("line", collect);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    lines,
    logged: (msg) => lines.filter((l) => l.msg === msg),
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
