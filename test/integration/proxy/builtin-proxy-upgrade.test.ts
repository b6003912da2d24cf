import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AppRoute, RouteTable } from "../../../src/model/index.js";
import { BuiltinProxy } from "../../../src/proxy/builtin-proxy.js";
import { closedPort, readUntil, silentLog, startUpstream, type TestUpstream, until, upgrade } from "./http-fixtures.js";

let a: TestUpstream;
let proxy: BuiltinProxy | undefined;

beforeAll(async () => {
  a = await startUpstream("a");
});
afterAll(async () => {
  await a.close();
});
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

function ws(upstreams: AppRoute["upstreams"]): AppRoute {
  return { app: "chat", env: "production", hostnames: ["chat.example.com"], upstreams };
}

async function startProxy(table: RouteTable) {
  proxy = new BuiltinProxy({ listen: { host: "127.0.0.1", port: 0 }, log: silentLog });
  proxy.setRoutes(table);
  return (await proxy.start()).port;
}

describe("BuiltinProxy WebSocket upgrades", () => {
  it("proxies the handshake and then bytes both ways, counting the connection as in flight", async () => {
    const port = await startProxy({ version: 1, routes: [ws([a.upstream()])] });
    const { socket, head, rest } = await upgrade(port, "chat.example.com");
    expect(head.split("\r\n")[0]).toBe("HTTP/1.1 101 Switching Protocols");
    await readUntil(socket, "hello from a\n", rest);
    socket.write("ping 1\n");
    const echoed = await readUntil(socket, "ping 1\n");
    expect(echoed).toContain("ping 1\n");
    expect(proxy!.inFlight("a")).toBe(1);

    const handshake = a.seen.at(-1)!;
    expect(handshake.url).toBe("/chat");
    expect(handshake.headers.upgrade).toBe("websocket");
    expect(handshake.headers.connection).toBe("Upgrade");
    expect(handshake.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(handshake.headers["sec-websocket-key"]).toBe("dGhlIHNhbXBsZSBub25jZQ==");

    socket.end();
    await until(() => proxy!.inFlight("a") === 0, "the upgraded connection to be counted out");
  });

  it("tries another upstream when the first refuses the connection", async () => {
    const dead = {
      host: "alpha",
      address: "127.0.0.1",
      port: await closedPort(),
      container: "dead",
      state: "active",
    } as const;
    const port = await startProxy({ version: 1, routes: [ws([dead, a.upstream()])] });
    const { socket, head } = await upgrade(port, "chat.example.com");
    expect(head.split("\r\n")[0]).toBe("HTTP/1.1 101 Switching Protocols");
    socket.destroy();
  });

  it("answers 404 for an unknown host and 503 with Retry-After when nothing is active", async () => {
    const port = await startProxy({ version: 1, routes: [ws([a.upstream("draining")])] });
    const unknown = await upgrade(port, "nobody.example.com");
    expect(unknown.head.split("\r\n")[0]).toBe("HTTP/1.1 404 Not Found");
    unknown.socket.destroy();
    const none = await upgrade(port, "chat.example.com");
    expect(none.head.split("\r\n")).toContain("Retry-After: 5");
    expect(none.head.split("\r\n")[0]).toBe("HTTP/1.1 503 Service Unavailable");
    none.socket.destroy();
  });

  it("stop() closes open upgraded connections at once instead of waiting out its grace time", async () => {
    proxy = new BuiltinProxy({ listen: { host: "127.0.0.1", port: 0 }, log: silentLog, stopGraceMs: 60_000 });
    proxy.setRoutes({ version: 1, routes: [ws([a.upstream()])] });
    const { port } = await proxy.start();
    const { socket, rest } = await upgrade(port, "chat.example.com");
    await readUntil(socket, "hello from a\n", rest);
    expect(proxy.inFlight("a")).toBe(1);
    const closed = new Promise<"closed">((resolve) => socket.once("close", () => resolve("closed")));
    // An upgraded connection is no HTTP request: left to the servers, stop() would wait the whole minute.
    const bound = AbortSignal.timeout(5_000);
    const stopped = await Promise.race([
      proxy.stop().then(() => closed),
      new Promise<"still waiting">((resolve) => bound.addEventListener("abort", () => resolve("still waiting"))),
    ]);
    expect(stopped).toBe("closed");
    expect(proxy.inFlight("a")).toBe(0);
    proxy = undefined;
  });
});
