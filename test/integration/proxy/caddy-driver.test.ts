import { mkdtempSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AppRoute } from "../../../src/model/index.js";
import { DockhandError } from "../../../src/model/index.js";
import { CaddyDriver } from "../../../src/proxy/caddy-driver.js";
import {
  closedPort,
  nameOf,
  readUntil,
  send,
  silentLog,
  startUpstream,
  type TestUpstream,
  upgrade,
} from "./http-fixtures.js";

let a: TestUpstream;
let b: TestUpstream;
let dir: string;
let driver: CaddyDriver | undefined;
let port = 0;
let adminPort = 0;

beforeAll(async () => {
  [a, b] = await Promise.all([startUpstream("a"), startUpstream("b")]);
  dir = mkdtempSync(join(tmpdir(), "dockhand-caddy-"));
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await driver?.stop();
  driver = undefined;
});

async function startDriver(): Promise<CaddyDriver> {
  port = await closedPort();
  adminPort = await closedPort();
  const admin = { host: "127.0.0.1", port: adminPort };
  driver = new CaddyDriver({
    dir: join(dir, String(port)),
    listen: { host: "127.0.0.1", port },
    admin,
    log: silentLog,
  });
  await driver.start();
  return driver;
}

function web(upstreams: AppRoute["upstreams"], hostnames = ["www.example.com"]): AppRoute {
  return { app: "web", env: "production", hostnames, upstreams };
}

describe("CaddyDriver against real Caddy", () => {
  it("starts with no routes and answers 404 for every host", async () => {
    await startDriver();
    const reply = await send(port, "www.example.com");
    expect(reply.status).toBe(404);
    expect(reply.body).toBe("no app is served at this hostname\n");
  });

  it("routes by hostname to active upstreams, round robin, with the forwarding headers", async () => {
    const caddy = await startDriver();
    expect(await caddy.setRoutes({ version: 1, routes: [web([a.upstream(), b.upstream()])] })).toBe(true);
    const names = new Set<string>();
    for (let i = 0; i < 4; i++) names.add(nameOf(await send(port, "www.example.com")));
    expect([...names].sort()).toEqual(["a", "b"]);

    const reply = await send(port, "www.example.com:80", "/p?q=1", { headers: { "x-request-id": "trace-1" } });
    const seen = JSON.parse(reply.body) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe("/p?q=1");
    expect(seen.headers.host).toBe("www.example.com:80");
    expect(seen.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen.headers["x-forwarded-proto"]).toBe("http");
    expect(seen.headers["x-forwarded-host"]).toBe("www.example.com:80");
    expect(seen.headers["x-request-id"]).toBe("trace-1");
    expect(JSON.parse((await send(port, "www.example.com")).body).headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("matches a wildcard hostname for exactly one label, and leaves draining upstreams out", async () => {
    const caddy = await startDriver();
    await caddy.setRoutes({
      version: 1,
      routes: [web([a.upstream("draining"), b.upstream()], ["*.preview.example.com"])],
    });
    for (let i = 0; i < 3; i++) expect(nameOf(await send(port, "web-pr-1.preview.example.com"))).toBe("b");
    expect((await send(port, "a.b.preview.example.com")).status).toBe(404);
    expect((await send(port, "preview.example.com")).status).toBe(404);
  });

  it("answers 503 with Retry-After when an app has no active upstream", async () => {
    const caddy = await startDriver();
    await caddy.setRoutes({ version: 1, routes: [web([a.upstream("draining")])] });
    const reply = await send(port, "www.example.com");
    expect(reply.status).toBe(503);
    expect(reply.headers["retry-after"]).toBe("5");
    expect(reply.body).toBe("web has no active upstream right now; try again shortly\n");
  });

  it("retries a refused connection on another upstream", async () => {
    const caddy = await startDriver();
    const dead = { ...a.upstream(), container: "dead", port: await closedPort() };
    await caddy.setRoutes({ version: 1, routes: [web([dead, b.upstream()])] });
    for (let i = 0; i < 4; i++) expect(nameOf(await send(port, "www.example.com"))).toBe("b");
  });

  it("keeps the old config and reports Caddy's words when Caddy refuses a config", async () => {
    const caddy = await startDriver();
    await caddy.setRoutes({ version: 1, routes: [web([a.upstream()])] });
    // Route tables always render to configs Caddy takes; a hand-made one shows the refusal path.
    const repeated = {
      admin: { listen: `127.0.0.1:${adminPort}` },
      apps: {
        http: {
          servers: { s: { listen: [`127.0.0.1:${port}`], routes: [{ match: [{ host: ["a.com", "a.com"] }] }] } },
        },
      },
    };
    const error = await caddy.load(repeated, "a hand-made config").catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DockhandError);
    expect((error as DockhandError).code).toBe("DOCKHAND_E_PROXY");
    expect((error as DockhandError).message).toMatch(
      /^caddy refused a hand-made config \(the previous config stays\):\n/,
    );
    expect((error as DockhandError).message).toContain("host at index 0 is repeated at index 1: a.com");
    expect(caddy.routesVersion).toBe(1);
    expect(nameOf(await send(port, "www.example.com"))).toBe("a");
    expect(await caddy.setRoutes({ version: 2, routes: [web([b.upstream()])] })).toBe(true);
    expect(nameOf(await send(port, "www.example.com"))).toBe("b");
  });

  it.each([20, 40])("serves an app with %i upstreams (SRV answers hold about 25; more go in the config)", async (n) => {
    const caddy = await startDriver();
    const many = Array.from({ length: n }, (_, i) => ({ ...(i % 2 ? b : a).upstream(), container: `web-${i}` }));
    await caddy.setRoutes({ version: 1, routes: [web(many)] });
    const names = new Set<string>();
    for (let i = 0; i < 6; i++) names.add(nameOf(await send(port, "www.example.com")));
    expect([...names].sort()).toEqual(["a", "b"]);
  });

  it("changes upstreams without a reload: a kept-alive client connection carries on", async () => {
    const caddy = await startDriver();
    await caddy.setRoutes({ version: 1, routes: [web([a.upstream()])] });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    agent.on("free", (socket) => sockets.add(socket));
    expect(nameOf(await send(port, "www.example.com", "/", { agent }))).toBe("a");
    await caddy.setRoutes({ version: 2, routes: [web([a.upstream("draining"), b.upstream()])] });
    expect(nameOf(await send(port, "www.example.com", "/", { agent }))).toBe("b");
    expect(sockets.size).toBe(1);
    agent.destroy();
  });

  it("ignores a table older than the one it serves", async () => {
    const caddy = await startDriver();
    await caddy.setRoutes({ version: 5, routes: [web([a.upstream()])] });
    expect(await caddy.setRoutes({ version: 4, routes: [web([b.upstream()])] })).toBe(false);
    expect(nameOf(await send(port, "www.example.com"))).toBe("a");
  });

  it("proxies WebSocket upgrades", async () => {
    const caddy = await startDriver();
    await caddy.setRoutes({ version: 1, routes: [web([a.upstream()], ["chat.example.com"])] });
    const { socket, head, rest } = await upgrade(port, "chat.example.com");
    expect(head.split("\r\n")[0]).toBe("HTTP/1.1 101 Switching Protocols");
    await readUntil(socket, "hello from a\n", rest);
    socket.write("ping\n");
    await readUntil(socket, "ping\n");
    socket.destroy();
  });
});
