/**
 * A git:// server whose remote end can hang: a TCP front that reads each
 * connection's request (`git-upload-pack /deploy.git` for a clone or fetch,
 * `git-receive-pack` for a push) and, as `behaviour` says for it,
 * - "serve": hands the connection to a real `git daemon --inetd` over `root`;
 * - "stall": accepts and never says anything, as a hung host or a dead proxy does;
 * - "trickle": serves it, but sends the answer a few bytes at a time (a slow link).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export type Behaviour = "serve" | "stall" | "trickle";
export type Service = "git-upload-pack" | "git-receive-pack";

export interface StallingGitServerOptions {
  /** Directory whose bare repos are served (`git://host:port/<name>.git`). */
  root: string;
  /** Decided per connection; connections are counted per service from 1. */
  behaviour: (service: Service, count: number) => Behaviour;
  /** "trickle": this many bytes per `trickleEveryMs`. Default 4096 per 100 ms. */
  trickleBytes?: number;
  trickleEveryMs?: number;
}

export interface StallingGitServer {
  /** `git://127.0.0.1:<port>/` */
  url: string;
  /** Every connection's service and what was done with it, in order. */
  readonly log: Array<{ service: Service; behaviour: Behaviour }>;
  /** Resolves when the `n`th stalled connection (from 1) has been closed by its client. */
  stallClosed(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startStallingGitServer(options: StallingGitServerOptions): Promise<StallingGitServer> {
  const log: StallingGitServer["log"] = [];
  const counts = new Map<Service, number>();
  const sockets = new Set<Socket>();
  const daemons = new Set<ChildProcess>();
  const stalls: Array<{ closed: Promise<void>; resolve: () => void }> = [];
  const stall = (n: number) => {
    while (stalls.length < n) {
      let resolve = () => {};
      const closed = new Promise<void>((r) => {
        resolve = r;
      });
      stalls.push({ closed, resolve });
    }
    return stalls[n - 1]!;
  };
  let stalled = 0;

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    readRequest(socket).then((request) => {
      if (!request) return socket.destroy();
      const count = (counts.get(request.service) ?? 0) + 1;
      counts.set(request.service, count);
      const behaviour = options.behaviour(request.service, count);
      log.push({ service: request.service, behaviour });
      if (behaviour === "stall") {
        stalled += 1;
        const { resolve } = stall(stalled);
        socket.on("close", resolve);
        return;
      }
      const daemon = spawn(
        "git",
        ["daemon", "--inetd", "--export-all", "--enable=receive-pack", `--base-path=${options.root}`, options.root],
        { stdio: ["pipe", "pipe", "ignore"] },
      );
      daemons.add(daemon);
      daemon.on("close", () => daemons.delete(daemon));
      daemon.stdin.on("error", () => undefined);
      daemon.stdin.write(request.head);
      socket.pipe(daemon.stdin);
      if (behaviour === "serve") daemon.stdout.pipe(socket);
      else void trickle(daemon.stdout, socket, options.trickleBytes ?? 4096, options.trickleEveryMs ?? 100);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `git://127.0.0.1:${port}/`,
    log,
    stallClosed: (n) => stall(n).closed,
    async close() {
      for (const socket of sockets) socket.destroy();
      for (const daemon of daemons) daemon.kill();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The first pkt-line of a git:// connection ("<4 hex length>git-upload-pack /repo\0host=...\0"). */
function readRequest(socket: Socket): Promise<{ service: Service; head: Buffer } | undefined> {
  return new Promise((resolve) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const length = Number.parseInt(head.subarray(0, 4).toString("ascii"), 16);
      if (head.length < 4 || head.length < length) return;
      socket.off("data", onData);
      socket.pause();
      const service = head.subarray(4, length).toString("utf8").split(" ")[0];
      resolve(service === "git-upload-pack" || service === "git-receive-pack" ? { service, head } : undefined);
    };
    socket.on("data", onData);
    socket.on("end", () => resolve(undefined));
  });
}

async function trickle(from: NodeJS.ReadableStream, to: Socket, bytes: number, everyMs: number): Promise<void> {
  for await (const chunk of from as AsyncIterable<Buffer>) {
    for (let at = 0; at < chunk.length; at += bytes) {
      if (to.destroyed) return;
      to.write(chunk.subarray(at, at + bytes));
      await sleep(everyMs); // the slow link itself, not a wait for an event
    }
  }
  to.end();
}
