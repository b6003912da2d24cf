/**
 * A proxy server process (nginx, Caddy) that dockhand starts, watches and
 * stops itself, keeping the tail of its stderr so failures can say why.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { DockhandError } from "../model/index.js";
import type { ProxyLog } from "./proxy-log.js";

const STDERR_TAIL = 4_000;

export class ManagedProcess {
  private child: ChildProcess | undefined;
  private tail = "";

  constructor(
    private readonly name: string,
    private readonly log: ProxyLog,
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  /** The last lines the process wrote to stderr. */
  stderr(): string {
    return this.tail;
  }

  /** Spawn, then wait for `ready`; rejects (and kills the process) if it exits or `ready` fails first. */
  async start(binary: string, args: string[], ready: () => Promise<void>, env?: NodeJS.ProcessEnv): Promise<void> {
    if (this.child) throw new DockhandError("DOCKHAND_E_USAGE", `${this.name} is already running`);
    const child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"], env: env ?? process.env });
    this.child = child;
    child.stderr?.on("data", (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString()).slice(-STDERR_TAIL);
    });
    const exited = new Promise<never>((_, reject) => {
      child.once("error", (err) => reject(failure(`${this.name} could not be started (${binary})`, err.message)));
      child.once("exit", (code) => reject(failure(`${this.name} exited (${code}) while starting`, this.tail)));
    });
    try {
      await Promise.race([ready(), exited]);
    } catch (err) {
      await this.stop("SIGKILL", 0);
      throw err;
    }
    child.removeAllListeners("exit");
    child.once("exit", (code, signal) => {
      if (this.child === child) this.log.error({ code, signal, stderr: this.tail }, `${this.name} exited`);
      this.child = undefined;
    });
  }

  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  /** Send `signal`, and SIGKILL after graceMs if it has not exited. */
  async stop(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    child.kill(signal);
    const force = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(force);
  }
}

/** A DOCKHAND_E_PROXY error with the last lines of a process's output under the message. */
export function failure(message: string, output: string): DockhandError {
  const lines = output.trim().split("\n").slice(-10).join("\n");
  return new DockhandError("DOCKHAND_E_PROXY", lines ? `${message}:\n${lines}` : message);
}
