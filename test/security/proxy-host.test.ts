/**
 * The Host header through the real built-in proxy, sent as raw bytes: a value
 * that is not a host (RFC 3986 reg-name or IP literal, optional port) gets 400
 * and reaches no app, and is never copied into X-Forwarded-Host or into the
 * HTTPS redirect's Location (where `a/b` or `a\b` before a wildcard's domain
 * would send a browser to another host).
 */
import { rmSync } from "node:fs";
import { connect } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BuiltinProxy } from "../../src/proxy/builtin-proxy.js";
import { silentLog, startUpstream, type TestUpstream } from "../integration/proxy/http-fixtures.js";
import { makeTestCa, type TestCa } from "../integration/proxy/tls-fixtures.js";

let app: TestUpstream;
let ca: TestCa;
let cert: { certFile: string; keyFile: string };
let proxy: BuiltinProxy | undefined;

beforeAll(async () => {
  app = await startUpstream("web");
  ca = makeTestCa();
  cert = ca.issue("www", ["www.example.com", "*.preview.example.com"]);
});
afterAll(async () => {
  await app.close();
  rmSync(ca.dir, { recursive: true, force: true });
});
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

/** Starts the proxy with an exact and a wildcard route; with `redirect`, plain HTTP gets a 308 to https. */
async function startProxy(redirect: boolean): Promise<{ port: number; tlsPort?: number }> {
  proxy = new BuiltinProxy({
    listen: { host: "127.0.0.1", port: 0 },
    ...(redirect ? { tls: { listen: { host: "127.0.0.1", port: 0 }, certificates: [cert], redirectHttp: true } } : {}),
    log: silentLog,
  });
  proxy.setRoutes({
    version: 1,
    routes: [
      { app: "web", env: "production", hostnames: ["www.example.com"], upstreams: [app.upstream()] },
      { app: "web", env: "pr-1", hostnames: ["*.preview.example.com"], upstreams: [app.upstream()] },
    ],
  });
  return proxy.start();
}

interface RawReply {
  status: number;
  headers: Map<string, string[]>;
  body: string;
}

/** One request as bytes, with these Host header lines exactly (none, one or several). */
function rawGet(port: number, hostLines: string[], version = "1.1"): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let got = "";
    socket.on("data", (chunk: Buffer) => {
      got += chunk.toString("latin1");
    });
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", ...rest] = got.split("\r\n\r\n");
      const [statusLine = "", ...lines] = head.split("\r\n");
      const headers = new Map<string, string[]>();
      for (const line of lines) {
        const colon = line.indexOf(":");
        const name = line.slice(0, colon).toLowerCase();
        headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n") });
    });
    const hosts = hostLines.map((value) => `Host: ${value}\r\n`).join("");
    socket.write(`GET /path?q=1 HTTP/${version}\r\n${hosts}Connection: close\r\n\r\n`);
  });
}

const WILDCARD = ".preview.example.com";

/** Hosts a client can send through node's parser (it refuses CR, LF and other control characters itself). */
const HOSTILE: Array<[string, string[]]> = [
  ["a space", [`a b${WILDCARD}`]],
  ["an @ (userinfo)", [`evil@x${WILDCARD}`]],
  ["a slash", [`evil/x${WILDCARD}`]],
  ["a backslash", [`evil\\x${WILDCARD}`]],
  ["quotes", [`"x"${WILDCARD}`]],
  ["markup", [`<script>alert(1)</script>${WILDCARD}`]],
  ["an overlong name", [`${"a".repeat(300)}${WILDCARD}`]],
  ["a port that is not a number", ["www.example.com:80x"]],
  ["a port out of range", ["www.example.com:70000"]],
  ["an unclosed IPv6 literal", ["[::1"]],
  ["an empty value", [""]],
  ["two Host headers", ["www.example.com", `evil${WILDCARD}`]],
  ["two equal Host headers", ["www.example.com", "www.example.com"]],
];

describe("the built-in proxy and the Host header", () => {
  it.each(HOSTILE)("answers 400 to a Host with %s, forwarding nothing", async (_what, hosts) => {
    const { port } = await startProxy(false);
    const before = app.seen.length;
    const reply = await rawGet(port, hosts);
    expect(reply.status).toBe(400);
    expect(reply.body).toContain("Host");
    expect(reply.headers.has("location")).toBe(false);
    expect(app.seen.length).toBe(before);
  });

  it.each(HOSTILE)(
    "answers 400, not a redirect, to a Host with %s when plain HTTP is redirected",
    async (_what, hosts) => {
      const { port } = await startProxy(true);
      const reply = await rawGet(port, hosts);
      expect(reply.status).toBe(400);
      expect(reply.headers.has("location")).toBe(false);
    },
  );

  it("answers 400 to an HTTP/1.0 request without Host rather than guessing an app", async () => {
    const { port } = await startProxy(false);
    const reply = await rawGet(port, [], "1.0");
    expect(reply.status).toBe(400);
  });

  it("forwards a valid Host as sent, in X-Forwarded-Host, and redirects to it", async () => {
    const plain = await startProxy(false);
    const ok = await rawGet(plain.port, [`Web-PR-1${WILDCARD}:80`]);
    expect(ok.status).toBe(200);
    const seen = app.seen.at(-1)!;
    expect(seen.headers["x-forwarded-host"]).toBe(`Web-PR-1${WILDCARD}:80`);
    expect(seen.headers.host).toBe(`Web-PR-1${WILDCARD}:80`);
    await proxy?.stop();

    const tls = await startProxy(true);
    const moved = await rawGet(tls.port, [`web-pr-1${WILDCARD}`]);
    expect(moved.status).toBe(308);
    expect(moved.headers.get("location")).toEqual([`https://web-pr-1${WILDCARD}:${tls.tlsPort}/path?q=1`]);
  });
});
