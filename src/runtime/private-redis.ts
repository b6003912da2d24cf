import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { DockhandError } from "../model/index.js";

export interface PrivateRedis {
  url: string;
  /** Whether this process started it (and so stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;

/**
 * With no REDIS_URL, dockhand keeps its queue and routes in a redis-server of
 * its own under the state dir, reachable only through a unix socket there.
 * Append-only, so a restart of dockhand keeps the queue. Any dockhand process
 * pointed at the same state dir shares it.
 */
export async function ensurePrivateRedis(stateDir: string): Promise<PrivateRedis> {
  const dir = join(stateDir, "redis");
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, "redis.sock");
  const url = `redis+unix://${socket}`;
  if (await answers(socket)) return { url, owned: false, stop: async () => {} };
  const child = spawn(
    "redis-server",
    [
      "--port",
      "0",
      "--unixsocket",
      socket,
      "--unixsocketperm",
      "700",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--pidfile",
      join(dir, "redis.pid"),
      "--daemonize",
      "no",
      "--save",
      "",
    ],
    // Its own process group: a Ctrl-C in the terminal (SIGINT to the whole group) must not
    // kill Redis before dockhand has closed its connections; dockhand stops it last.
    { stdio: ["ignore", "ignore", "pipe"], detached: true },
  );
  let failure = "";
  child.stderr.on("data", (chunk) => {
    failure += String(chunk);
  });
  const spawned = await new Promise<Error | undefined>((resolveSpawn) => {
    child.once("spawn", () => resolveSpawn(undefined));
    child.once("error", (err) => resolveSpawn(err));
  });
  if (spawned) {
    throw new DockhandError(
      "DOCKHAND_E_USAGE",
      `could not start redis-server (${spawned.message}): install it (apt-get install redis-server) or set REDIS_URL`,
    );
  }
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await answers(socket))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      const log = existsSync(join(dir, "redis.log")) ? readFileSync(join(dir, "redis.log"), "utf8") : failure;
      throw new DockhandError("DOCKHAND_E_USAGE", `private redis-server did not start under ${dir}: ${log.trim()}`);
    }
    await sleep(50);
  }
  return {
    url,
    owned: true,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

async function answers(socket: string): Promise<boolean> {
  if (!existsSync(socket)) return false;
  const client = new Redis({ path: socket, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
