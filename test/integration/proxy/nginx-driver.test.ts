import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AppRoute } from "../../../src/model/index.js";
import { DockhandError } from "../../../src/model/index.js";
import { NginxDriver } from "../../../src/proxy/nginx-driver.js";
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
let driver: NginxDriver | undefined;
let port = 0;

beforeAll(async () => {
  [a, b] = await Promise.all([startUpstream("a"), startUpstream("b")]);
  dir = mkdtempSync(join(tmpdir(), "dockhand-nginx-"));
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await driver?.stop();
  driver = undefined;
});

async function startDriver(): Promise<NginxDriver> {
  port = await closedPort();
  driver = new NginxDriver({ dir: join(dir, String(port)), listen: { host: "127.0.0.1", port }, log: silentLog });
  await driver.start();
  return driver;
}

function web(upstreams: AppRoute["upstreams"], hostnames = ["www.example.com"]): AppRoute {
  return { app: "web", env: "production", hostnames, upstreams };
}

describe("NginxDriver against real nginx", () => {
  it("starts with no routes and answers 404 for every host", async () => {
    await startDriver();
    const reply = await send(port, "www.example.com");
    expect(reply.status).toBe(404);
    expect(reply.body).toBe("no app is served at this hostname\n");
  });

  it("says which package to install when nginx's njs module is missing", async () => {
    port = await closedPort();
    const nginx = new NginxDriver({
      dir: join(dir, String(port)),
      listen: { host: "127.0.0.1", port },
      log: silentLog,
      jsModule: join(dir, "missing", "ngx_http_js_module.so"),
    });
    const error = await nginx.start().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DockhandError);
    expect((error as DockhandError).message).toMatch(
      /^nginx -t rejected the initial configuration \(the nginx driver needs nginx's njs module: apt-get install libnginx-mod-http-js\):\n.*dlopen\(\)/,
    );
    expect(nginx.pid).toBeUndefined();
  });

  it("routes by hostname to active upstreams, spread over them, with the forwarding headers", async () => {
    const nginx = await startDriver();
    expect(await nginx.setRoutes({ version: 1, routes: [web([a.upstream(), b.upstream()])] })).toBe(true);
    const names = new Set<string>();
    // Picked at random (njs keeps no counter between requests): 20 requests miss one of two upstreams 2 times in a million.
    for (let i = 0; i < 20; i++) names.add(nameOf(await send(port, "www.example.com")));
    expect([...names].sort()).toEqual(["a", "b"]);

    const reply = await send(port, "WWW.example.com:80", "/p?q=1", { headers: { "x-request-id": "trace-1" } });
    const seen = JSON.parse(reply.body) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe("/p?q=1");
    expect(seen.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen.headers["x-forwarded-proto"]).toBe("http");
    expect(seen.headers["x-forwarded-host"]).toBe("WWW.example.com:80");
    expect(seen.headers["x-request-id"]).toBe("trace-1");
    // No upstream keep-alive pool for a variable upstream: the upstream closes, so its side keeps the TIME_WAITs.
    expect(seen.headers.connection).toBe("close");
    expect(JSON.parse((await send(port, "www.example.com")).body).headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
  });

  it("sends an idempotent request another upstream when one refuses the connection; a POST gets 502", async () => {
    const nginx = await startDriver();
    const dead = { ...a.upstream(), port: await closedPort(), container: "dead" };
    expect(await nginx.setRoutes({ version: 1, routes: [web([dead, b.upstream()])] })).toBe(true);
    // Half of the picks land on the dead upstream (2 in a million that 20 miss it): each must be retried on b.
    const replies = await Promise.all(Array.from({ length: 20 }, () => send(port, "www.example.com")));
    expect(replies.map((r) => `${r.status} ${nameOf(r)}`)).toEqual(Array(20).fill("200 b"));
    const posts = await Promise.all(
      Array.from({ length: 20 }, () => send(port, "www.example.com", "/", { method: "POST", body: "x" })),
    );
    // A POST is not sent twice: the ones that met the dead upstream are answered 502 by nginx.
    expect(new Set(posts.map((r) => r.status))).toEqual(new Set([200, 502]));
  });

  it("matches a wildcard hostname for exactly one label, and leaves draining upstreams out", async () => {
    const nginx = await startDriver();
    await nginx.setRoutes({
      version: 1,
      routes: [web([a.upstream("draining"), b.upstream()], ["*.preview.example.com"])],
    });
    for (let i = 0; i < 3; i++) expect(nameOf(await send(port, "web-pr-1.preview.example.com"))).toBe("b");
    expect((await send(port, "a.b.preview.example.com")).status).toBe(404);
    expect((await send(port, "preview.example.com")).status).toBe(404);
  });

  it("answers 503 with Retry-After when an app has no active upstream", async () => {
    const nginx = await startDriver();
    await nginx.setRoutes({ version: 1, routes: [web([a.upstream("draining")])] });
    const reply = await send(port, "www.example.com");
    expect(reply.status).toBe(503);
    expect(reply.headers["retry-after"]).toBe("5");
    expect(reply.body).toBe("web has no active upstream right now; try again shortly\n");
  });

  it("keeps the old routes and reports nginx's words when nginx -t fails", async () => {
    const nginx = await startDriver();
    await nginx.setRoutes({ version: 1, routes: [web([a.upstream()])] });
    // A valid hostname longer than nginx's server_names_hash_bucket_size allows: only nginx knows that limit.
    const long = `${"a".repeat(60)}.${"b".repeat(60)}.example.com`;
    const error = await nginx
      .setRoutes({ version: 2, routes: [web([b.upstream()], [long])] })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DockhandError);
    expect((error as DockhandError).code).toBe("DOCKHAND_E_PROXY");
    expect((error as DockhandError).message).toMatch(
      /^nginx -t rejected routes version 2 \(the previous routes stay\):\n/,
    );
    expect((error as DockhandError).message).toContain("server_names_hash_bucket_size");
    expect(nginx.routesVersion).toBe(1);
    expect(nameOf(await send(port, "www.example.com"))).toBe("a");
    expect(readFileSync(join(dir, String(port), "routes.conf"), "utf8")).toContain("server_name www.example.com;");
    // A good table after a bad one still applies.
    expect(await nginx.setRoutes({ version: 3, routes: [web([b.upstream()])] })).toBe(true);
    expect(nameOf(await send(port, "www.example.com"))).toBe("b");
  });

  it("keeps the old routes when an upstream's host name does not resolve", async () => {
    const nginx = await startDriver();
    await nginx.setRoutes({ version: 1, routes: [web([a.upstream()])] });
    const broken = { ...b.upstream(), address: "no-such-host.invalid" };
    const error = await nginx.setRoutes({ version: 2, routes: [web([broken])] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DockhandError);
    expect((error as DockhandError).message).toMatch(
      /^nginx driver could not resolve upstream "no-such-host.invalid" of production\/web in routes version 2 \(the previous routes stay\):\n/,
    );
    expect(nginx.routesVersion).toBe(1);
    expect(nameOf(await send(port, "www.example.com"))).toBe("a");
    const local = { ...b.upstream(), address: "localhost" };
    expect(await nginx.setRoutes({ version: 3, routes: [web([local])] })).toBe(true);
    expect(nameOf(await send(port, "www.example.com"))).toBe("b");
  });

  it("changes upstreams without a reload: a kept-alive client connection carries on", async () => {
    const nginx = await startDriver();
    await nginx.setRoutes({ version: 1, routes: [web([a.upstream()])] });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    agent.on("free", (socket) => sockets.add(socket));
    expect(nameOf(await send(port, "www.example.com", "/", { agent }))).toBe("a");
    await nginx.setRoutes({ version: 2, routes: [web([a.upstream("draining"), b.upstream()])] });
    expect(nameOf(await send(port, "www.example.com", "/", { agent }))).toBe("b");
    expect(sockets.size).toBe(1);
    agent.destroy();
  });

  it("ignores a table older than the one it serves", async () => {
    const nginx = await startDriver();
    await nginx.setRoutes({ version: 5, routes: [web([a.upstream()])] });
    expect(await nginx.setRoutes({ version: 4, routes: [web([b.upstream()])] })).toBe(false);
    expect(nameOf(await send(port, "www.example.com"))).toBe("a");
  });

  it("proxies WebSocket upgrades", async () => {
    const nginx = await startDriver();
    await nginx.setRoutes({ version: 1, routes: [web([a.upstream()], ["chat.example.com"])] });
    const { socket, head, rest } = await upgrade(port, "chat.example.com");
    expect(head.split("\r\n")[0]).toBe("HTTP/1.1 101 Switching Protocols");
    await readUntil(socket, "hello from a\n", rest);
    socket.write("ping\n");
    await readUntil(socket, "ping\n");
    socket.destroy();
  });
});
