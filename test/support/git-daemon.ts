/**
 * `git daemon` serving the bare repositories under a folder over git://, so a
 * process that cannot read the folder (dockhand inside its image) fetches a
 * test repo over the network, as it would fetch a real remote.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { connect } from "node:net";
import { freePort } from "./free-port.js";
import { waitFor } from "./wait-for.js";

export interface GitDaemon {
  /** `git://127.0.0.1:<port>/`: append a repository's folder name (`deploy.git`). */
  url: string;
  stop(): Promise<void>;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("error", () => resolve(false));
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
  });
}

/** Serves every repository under `root` (read-only) on a free port of 127.0.0.1. */
export async function startGitDaemon(root: string): Promise<GitDaemon> {
  const port = await freePort();
  const args = ["daemon", "--reuseaddr", "--listen=127.0.0.1", `--port=${port}`, "--export-all"];
  const child: ChildProcess = spawn("git", [...args, `--base-path=${root}`, "--informative-errors", root], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = once(child, "exit");
  await waitFor(`git daemon to listen on port ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`git daemon exited (${child.exitCode}): ${log}`);
    return accepts(port);
  });
  return {
    url: `git://127.0.0.1:${port}/`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
