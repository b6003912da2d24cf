/**
 * Real local HTTP servers as proxy upstreams, and a small client that can set
 * any Host header. An upstream answers JSON naming itself and echoing what it
 * received; a few paths behave specially:
 *   /slow?release=<key>  holds the response until release(key) is called
 *   /echo                answers the request body's length and sha256
 *   /stream?release=<key> sends "first", then the rest after release(key)
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, request, type Server } from "node:http";
import { type AddressInfo, connect, createServer as createTcpServer } from "node:net";
import pino from "pino";
import type { Upstream, UpstreamState } from "../../../src/model/index.js";

export const silentLog = pino({ level: "silent" });

export interface TestUpstream {
  name: string;
  port: number;
  /** Requests seen, in order. */
  seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }>;
  /** TCP connections accepted. */
  connections: number;
  /** Requests being answered right now. */
  active: number;
  /** Requests held by /slow or /stream, waiting for release(). */
  held(key: string): boolean;
  release(key: string): void;
  upstream(state?: UpstreamState): Upstream;
  /** Cut every connection and close. */
  close(): Promise<void>;
  /** Stop like an app on SIGTERM: refuse new connections, close idle ones, finish the busy ones. */
  stop(): Promise<void>;
}

export async function startUpstream(name: string): Promise<TestUpstream> {
  const waiting = new Map<string, () => void>();
  const heldKeys = new Set<string>();
  const hold = (key: string) =>
    new Promise<void>((resolve) => {
      heldKeys.add(key);
      waiting.set(key, resolve);
    });
  const self: TestUpstream = {
    name,
    port: 0,
    seen: [],
    connections: 0,
    active: 0,
    held: (key) => heldKeys.has(key),
    release: (key) => {
      heldKeys.delete(key);
      waiting.get(key)?.();
      waiting.delete(key);
    },
    upstream: (state = "active") => ({ host: "alpha", address: "127.0.0.1", port: self.port, container: name, state }),
    close: () => closeServer(server),
    stop: () => stopServer(server),
  };
  const server = createServer(async (req, res) => {
    self.active++;
    res.once("close", () => self.active--);
    const url = new URL(req.url ?? "/", "http://x");
    self.seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    const release = url.searchParams.get("release");
    if (url.pathname === "/echo") {
      const hash = createHash("sha256");
      let length = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        hash.update(chunk);
        length += chunk.length;
      }
      return json(res, { name, length, sha256: hash.digest("hex") });
    }
    if (url.pathname === "/stream" && release) {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first\n");
      await hold(release);
      return res.end("rest\n");
    }
    if (url.pathname === "/slow" && release) await hold(release);
    json(res, { name, method: req.method, url: req.url, headers: req.headers });
  });
  server.on("connection", () => self.connections++);
  server.on("upgrade", (req, socket) => {
    self.seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
    socket.write(`hello from ${name}\n`);
    socket.pipe(socket);
  });
  self.port = await listen(server);
  return self;
}

function json(res: import("node:http").ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function listen(server: Server | import("node:net").Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

function stopServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  return closed;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port on 127.0.0.1 where nothing listens: connecting is refused. */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An upstream that accepts connections and cuts them at once; counts the connections. */
export async function startResetter(
  name: string,
): Promise<{ upstream: Upstream; connections: () => number; close(): Promise<void> }> {
  let count = 0;
  const server = createTcpServer((socket) => {
    count++;
    socket.resetAndDestroy();
  });
  const port = await listen(server);
  return {
    upstream: { host: "alpha", address: "127.0.0.1", port, container: name, state: "active" },
    connections: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request error on a kept-alive connection the server had closed before answering (RFC 9112 9.3.1). */
export class StaleConnectionError extends Error {}

/** One request to the proxy with the given Host header; a fresh connection unless `agent` is given. */
export function send(
  port: number,
  host: string,
  path = "/",
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    agent?: import("node:http").Agent;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: options.method ?? "GET",
        headers: { host, ...options.headers },
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", (err) => reject(req.reusedSocket ? new StaleConnectionError(err.message) : err));
    req.end(options.body);
  });
}

export function nameOf(reply: Reply): string {
  return (JSON.parse(reply.body) as { name: string }).name;
}

/** A raw WebSocket-style handshake over TCP; resolves with the socket and the response head. */
export function upgrade(
  port: number,
  host: string,
): Promise<{ socket: import("node:net").Socket; head: string; rest: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let buffer = "";
    socket.on("error", reject);
    socket.on("data", function onData(chunk: Buffer) {
      buffer += chunk.toString();
      const end = buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      resolve({ socket, head: buffer.slice(0, end), rest: buffer.slice(end + 4) });
    });
    socket.write(
      `GET /chat HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    );
  });
}

/** Reads from a socket until `text` has arrived. */
export function readUntil(socket: import("node:net").Socket, text: string, already = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = already;
    if (buffer.includes(text)) return resolve(buffer);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      if (buffer.includes(text)) {
        socket.off("data", onData);
        resolve(buffer);
      }
    };
    socket.on("data", onData);
    socket.once("close", () =>
      reject(new Error(`socket closed before "${text}" arrived; got ${JSON.stringify(buffer)}`)),
    );
  });
}

/** Polls until `check` is true (state changes that have no event to wait on). */
export async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
