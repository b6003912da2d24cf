import { createHash } from "node:crypto";
import { request } from "node:http";
import { Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AppRoute, RouteTable } from "../../../src/model/index.js";
import { BuiltinProxy } from "../../../src/proxy/builtin-proxy.js";
import { nameOf, send, silentLog, startUpstream, type TestUpstream } from "./http-fixtures.js";

let a: TestUpstream;
let b: TestUpstream;
let c: TestUpstream;
let proxy: BuiltinProxy | undefined;

beforeAll(async () => {
  [a, b, c] = await Promise.all([startUpstream("a"), startUpstream("b"), startUpstream("c")]);
});
afterAll(async () => {
  await Promise.all([a, b, c].map((u) => u.close()));
});
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

function web(upstreams: AppRoute["upstreams"], hostnames = ["www.example.com"]): AppRoute {
  return { app: "web", env: "production", hostnames, upstreams };
}

async function startProxy(table: RouteTable, options: Partial<ConstructorParameters<typeof BuiltinProxy>[0]> = {}) {
  proxy = new BuiltinProxy({ listen: { host: "127.0.0.1", port: 0 }, log: silentLog, ...options });
  proxy.setRoutes(table);
  return (await proxy.start()).port;
}

describe("BuiltinProxy routing", () => {
  it("spreads requests round robin over the active upstreams", async () => {
    const port = await startProxy({ version: 1, routes: [web([a.upstream(), b.upstream(), c.upstream()])] });
    const names: string[] = [];
    for (let i = 0; i < 6; i++) names.push(nameOf(await send(port, "www.example.com")));
    expect(names).toEqual(["a", "b", "c", "a", "b", "c"]);
  });

  it("routes by Host header, ignoring case, port and a trailing dot, and serves wildcard hostnames", async () => {
    const preview: AppRoute = {
      app: "web",
      env: "pr-42",
      hostnames: ["*.preview.example.com"],
      upstreams: [b.upstream()],
    };
    const port = await startProxy({ version: 1, routes: [web([a.upstream()]), preview] });
    expect(nameOf(await send(port, "WWW.Example.com.:8080"))).toBe("a");
    expect(nameOf(await send(port, "web-pr-42.preview.example.com"))).toBe("b");
  });

  it("answers a plain-text 404 for an unknown host", async () => {
    const port = await startProxy({ version: 1, routes: [web([a.upstream()])] });
    const reply = await send(port, "nobody.example.com");
    expect(reply.status).toBe(404);
    expect(reply.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(reply.body).toBe("no app is served at this hostname\n");
  });

  it("answers 503 with Retry-After when the app has no active upstream", async () => {
    const port = await startProxy({ version: 1, routes: [web([a.upstream("draining")])] }, { retryAfterSeconds: 7 });
    const reply = await send(port, "www.example.com");
    expect(reply.status).toBe(503);
    expect(reply.headers["retry-after"]).toBe("7");
    expect(reply.body).toBe("web has no active upstream right now; try again shortly\n");
  });

  it("tells the upstream who asked: X-Forwarded-For, -Proto, -Host and a request id it echoes back", async () => {
    const port = await startProxy({ version: 1, routes: [web([a.upstream()])] });
    const reply = await send(port, "www.example.com:8080", "/path?q=1", {
      headers: { "x-forwarded-for": "203.0.113.5" },
    });
    const seen = JSON.parse(reply.body) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe("/path?q=1");
    expect(seen.headers.host).toBe("www.example.com:8080");
    expect(seen.headers["x-forwarded-for"]).toBe("203.0.113.5, 127.0.0.1");
    expect(seen.headers["x-forwarded-proto"]).toBe("http");
    expect(seen.headers["x-forwarded-host"]).toBe("www.example.com:8080");
    expect(seen.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.headers["x-request-id"]).toBe(seen.headers["x-request-id"]);

    const withId = await send(port, "www.example.com", "/", { headers: { "x-request-id": "trace-42" } });
    expect(JSON.parse(withId.body).headers["x-request-id"]).toBe("trace-42");
    expect(withId.headers["x-request-id"]).toBe("trace-42");
  });

  it("streams a large request body to the upstream", async () => {
    const port = await startProxy({ version: 1, routes: [web([a.upstream()])] });
    const body = Buffer.alloc(8 * 1024 * 1024, "dockhand");
    const chunked = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, path: "/echo", method: "POST", headers: { host: "www.example.com" } },
        (res) => {
          let text = "";
          res.on("data", (c: Buffer) => {
            text += c.toString();
          });
          res.on("end", () => resolve(text));
        },
      );
      req.on("error", reject);
      Readable.from([body.subarray(0, 1000), body.subarray(1000)]).pipe(req);
    });
    expect(JSON.parse(chunked)).toEqual({
      name: "a",
      length: body.length,
      sha256: createHash("sha256").update(body).digest("hex"),
    });
  });

  it("streams a response: the first part arrives before the upstream has sent the rest", async () => {
    const port = await startProxy({ version: 1, routes: [web([a.upstream()])] });
    const text = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, path: "/stream?release=s1", headers: { host: "www.example.com" } },
        (res) => {
          let got = "";
          res.on("data", (chunk: Buffer) => {
            got += chunk.toString();
            if (got === "first\n") {
              expect(a.held("s1")).toBe(true);
              a.release("s1");
            }
          });
          res.on("end", () => resolve(got));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(text).toBe("first\nrest\n");
  });

  it("reuses keep-alive connections to an upstream", async () => {
    const port = await startProxy({ version: 1, routes: [web([c.upstream()])] });
    const before = c.connections;
    for (let i = 0; i < 20; i++) expect((await send(port, "www.example.com")).status).toBe(200);
    expect(c.connections - before).toBe(1);
  });

  it("passes HEAD, PUT and DELETE through with their status", async () => {
    const port = await startProxy({ version: 1, routes: [web([a.upstream()])] });
    expect((await send(port, "www.example.com", "/", { method: "HEAD" })).body).toBe("");
    expect(JSON.parse((await send(port, "www.example.com", "/x", { method: "PUT", body: "v" })).body).method).toBe(
      "PUT",
    );
    expect(JSON.parse((await send(port, "www.example.com", "/x", { method: "DELETE" })).body).method).toBe("DELETE");
  });

  it("answers 413 for a body over maxBodyBytes, by Content-Length or while streaming", async () => {
    const port = await startProxy({ version: 1, routes: [web([a.upstream()])] }, { maxBodyBytes: 1000 });
    const declared = await send(port, "www.example.com", "/echo", { method: "POST", body: Buffer.alloc(1001) });
    expect(declared.status).toBe(413);
    expect(declared.body).toBe("request body too large (limit 1000 bytes)\n");
    const small = await send(port, "www.example.com", "/echo", { method: "POST", body: Buffer.alloc(1000) });
    expect(JSON.parse(small.body).length).toBe(1000);
    const streamed = await send(port, "www.example.com", "/echo", {
      method: "POST",
      headers: { "transfer-encoding": "chunked" },
      body: Buffer.alloc(5000),
    });
    expect(streamed.status).toBe(413);
  });

  it("ignores a route table older than the one it serves", async () => {
    const port = await startProxy({ version: 5, routes: [web([a.upstream()])] });
    expect(proxy!.setRoutes({ version: 4, routes: [web([b.upstream()])] })).toBe(false);
    expect(nameOf(await send(port, "www.example.com"))).toBe("a");
    expect(proxy!.setRoutes({ version: 6, routes: [web([b.upstream()])] })).toBe(true);
    expect(nameOf(await send(port, "www.example.com"))).toBe("b");
    expect(proxy!.routesVersion).toBe(6);
  });
});
