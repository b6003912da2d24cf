/**
 * A private, throwaway redis-server for one test file: its own unix socket in a
 * temporary directory, no persistence, killed by stop(). Tests that need to
 * see Redis go away and come back (a proxy starting before Redis) use this
 * rather than the shared test bed Redis.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";

export interface RedisServer {
  socket: string;
  /** A redis+unix:// URL for code that takes URLs. */
  url: string;
  /** A new client on this server; the caller closes it. */
  connect(): Redis;
  /** Kill the server, keeping its socket path (clients see Redis go away). */
  down(): Promise<void>;
  /** Start it again on the same socket after down(); the data is gone (no persistence). */
  up(): Promise<void>;
  /** Kill it and remove its directory. */
  stop(): Promise<void>;
}

function launch(dir: string, socket: string): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    [
      "--port",
      "0",
      "--unixsocket",
      socket,
      "--unixsocketperm",
      "700",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`redis-server did not start within 10 s:\n${out}`));
    }, 10_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      // Redis 7 says "Ready to accept connections tcp" or "...ready to accept connections at <socket>".
      if (/ready to accept connections/i.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(
        new Error(`redis-server could not be started (is it installed? apt-get install redis-server): ${err.message}`),
      );
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${out}`));
    });
  });
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/** `{ started: false }` gives a server that is down until up() (for "Redis not there yet" tests). */
export async function startRedisServer(options: { started?: boolean } = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "dockhand-redis-"));
  const socket = join(dir, "redis.sock");
  let child: ChildProcess | undefined = options.started === false ? undefined : await launch(dir, socket);
  return {
    socket,
    url: `redis+unix://${socket}`,
    connect: () => new Redis({ path: socket, maxRetriesPerRequest: null }),
    async down() {
      if (child) await kill(child);
      child = undefined;
    },
    async up() {
      if (!child) child = await launch(dir, socket);
    },
    async stop() {
      if (child) await kill(child);
      child = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
