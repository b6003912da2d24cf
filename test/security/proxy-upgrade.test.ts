/**
 * A WebSocket upgrade the upstream refuses must stay one HTTP exchange: the
 * client gets the upstream's answer and EOF, never a raw tunnel through which
 * it could speak to the upstream past the proxy (a second request smuggled in
 * the handshake's packet, or sent after the refusal).
 */
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { BuiltinProxy } from "../../src/proxy/builtin-proxy.js";
import { silentLog } from "../integration/proxy/http-fixtures.js";
import { waitFor } from "../support/wait-for.js";

const HOST = "chat.example.com";
const SMUGGLED = "GET /admin HTTP/1.1\r\nHost: internal\r\n\r\n";
const AFTER = "GET /after-refusal HTTP/1.1\r\nHost: internal\r\n\r\n";

interface RefusingUpstream {
  port: number;
  /** Every byte the upstream got on upgrade connections after the handshake's head. */
  received: () => string;
  /** What came in the same reads as each handshake (node's `head`): bytes sent before the upstream answered. */
  heads: string[];
  /** Upgrade connections the proxy closed its side of. */
  closed: () => number;
  handshakes: number;
  close(): Promise<void>;
}

/**
 * An upstream that answers every upgrade with `answer`, then sends `more` and keeps the connection open
 * (or, with `end`, closes its side: a body that ends with the connection).
 */
async function refusingUpstream(answer: string, more: string, end = false): Promise<RefusingUpstream> {
  let received = "";
  let closed = 0;
  const sockets = new Set<Duplex>();
  const self = { handshakes: 0, heads: [] } as unknown as RefusingUpstream;
  const server: Server = createServer((_req, res) => res.end("plain request\n"));
  server.on("upgrade", (_req, socket, head: Buffer) => {
    self.handshakes++;
    sockets.add(socket);
    self.heads.push(head.toString("latin1"));
    received += head.toString("latin1");
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
    });
    // The server's sockets allow half-open connections: the proxy closing its side shows as `end`.
    socket.once("end", () => closed++);
    socket.on("error", () => {});
    socket.write(answer);
    if (end) socket.end();
    else socket.write(more);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(self, {
    port: (server.address() as AddressInfo).port,
    received: () => received,
    closed: () => closed,
    close: () =>
      new Promise<void>((resolve) => {
        // Upgraded sockets are no longer the server's: closeAllConnections does not reach them.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  });
}

/** What a client gets until the proxy closes the connection; it sends AFTER once the answer's head arrived. */
function exchange(port: number, request: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, "127.0.0.1");
    let got = "";
    let sentAfter = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the proxy kept the connection open after answering; got ${JSON.stringify(got)}`));
    }, timeoutMs);
    socket.on("data", (chunk: Buffer) => {
      got += chunk.toString("latin1");
      if (!sentAfter && got.includes("\r\n\r\n")) {
        sentAfter = true;
        socket.write(AFTER, () => {});
      }
    });
    // Writing AFTER may race the proxy's close: a reset is still an end.
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(got);
    });
    socket.write(request);
  });
}

let proxy: BuiltinProxy | undefined;
let upstream: RefusingUpstream | undefined;
afterEach(async () => {
  await proxy?.stop();
  await upstream?.close();
  proxy = undefined;
  upstream = undefined;
});

async function proxyTo(port: number): Promise<number> {
  proxy = new BuiltinProxy({ listen: { host: "127.0.0.1", port: 0 }, log: silentLog });
  proxy.setRoutes({
    version: 1,
    routes: [
      {
        app: "chat",
        env: "production",
        hostnames: [HOST],
        upstreams: [{ host: "alpha", address: "127.0.0.1", port, container: "chat", state: "active" }],
      },
    ],
  });
  return (await proxy.start()).port;
}

const handshake =
  `GET /chat HTTP/1.1\r\nHost: ${HOST}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
  "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";

describe("a refused upgrade through the built-in proxy", () => {
  it.each([
    [200, "OK", "not a websocket endpoint\n"],
    [403, "Forbidden", "no way\n"],
  ])(
    "answers %i as the upstream's response, then EOF; nothing the client sends reaches the upstream",
    async (status, reason, body) => {
      const answer = `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain\r\nX-Upstream: yes\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
      // Bytes after the answer, as if the upstream were a tunnel: they must not reach the client either.
      upstream = await refusingUpstream(answer, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nsmuggled\n");
      const port = await proxyTo(upstream.port);

      const got = await exchange(port, handshake + SMUGGLED);

      const [head = "", rest] = got.split("\r\n\r\n", 2);
      const [statusLine, ...lines] = head.split("\r\n");
      expect(statusLine).toBe(`HTTP/1.1 ${status} ${reason}`);
      const fields = lines.map((line) => line.toLowerCase());
      expect(fields).toContain("x-upstream: yes");
      expect(fields).toContain("connection: close");
      expect(rest).toBe(body);
      expect(got).not.toContain("smuggled");
      expect(upstream.handshakes).toBe(1);
      // The proxy closed its side to the upstream too, so whatever it forwarded has arrived by now.
      await waitForClose(upstream);
      expect(upstream.received()).not.toContain("/admin");
      expect(upstream.received()).not.toContain("/after-refusal");
      expect(upstream.received()).toBe("");
    },
  );

  it("passes on a refusal whose body ends with the upstream's close, then closes", async () => {
    upstream = await refusingUpstream("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\r\ngo away\n", "", true);
    const port = await proxyTo(upstream.port);
    const got = await exchange(port, handshake);
    expect(got.split("\r\n")[0]).toBe("HTTP/1.1 403 Forbidden");
    expect(got.endsWith("\r\n\r\ngo away\n")).toBe(true);
    await waitForClose(upstream);
    expect(upstream.received()).toBe("");
  });
});

describe("an upgrade the upstream accepts", () => {
  it("passes bytes sent with the handshake on only after the upstream's 101", async () => {
    upstream = await refusingUpstream(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
      "",
    );
    const port = await proxyTo(upstream.port);
    const socket = connect(port, "127.0.0.1");
    socket.write(`${handshake}early frame`);
    const server = upstream;
    await waitFor("the early bytes to reach the upstream", () => server.received().includes("early frame"), {
      timeoutMs: 5_000,
      intervalMs: 10,
    });
    expect(server.heads).toEqual([""]);
    socket.destroy();
  });
});

describe("upgrade requests the proxy refuses itself", () => {
  const upgradeHeaders = "Connection: Upgrade\r\nUpgrade: websocket\r\n";
  it.each([
    [
      "an absolute-form target",
      "400 Bad Request",
      "request target must be a path",
      `GET http://internal.example/chat HTTP/1.1\r\nHost: ${HOST}\r\n${upgradeHeaders}\r\n`,
    ],
    [
      "a body",
      "400 Bad Request",
      "an upgrade request carries no body",
      `POST /chat HTTP/1.1\r\nHost: ${HOST}\r\n${upgradeHeaders}Content-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
    ],
    [
      "an unknown host",
      "404 Not Found",
      "not found",
      `GET /chat HTTP/1.1\r\nHost: other.example.com\r\n${upgradeHeaders}\r\n`,
    ],
  ])(
    "answers %s with %s; the upstream sees nothing and the proxy closes its side though the client sent more",
    async (_what, status, message, request) => {
      upstream = await refusingUpstream(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        "",
      );
      const port = await proxyTo(upstream.port);
      const got = await exchange(port, request);
      expect(got.split("\r\n")[0]).toBe(`HTTP/1.1 ${status}`);
      expect(got.endsWith(`\r\n\r\n${message}\n`)).toBe(true);
      expect(upstream.handshakes).toBe(0);
      // A socket left half-open with unread bytes never closes: stop() (server.close) would wait for it forever.
      await stopsWithin(proxy!, 2_000);
      proxy = undefined;
    },
  );
});

async function stopsWithin(running: BuiltinProxy, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`stop() still waits after ${ms} ms for a refused upgrade's socket`)), ms);
  });
  try {
    await Promise.race([running.stop(), late]);
  } finally {
    clearTimeout(timer);
  }
}

function waitForClose(server: RefusingUpstream): Promise<boolean> {
  return waitFor("the upstream's side to close", () => server.closed() === 1, { timeoutMs: 5_000, intervalMs: 10 });
}
