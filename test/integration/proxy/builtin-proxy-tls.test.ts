import { copyFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import type { PeerCertificate, TLSSocket } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AppRoute } from "../../../src/model/index.js";
import { DockhandError } from "../../../src/model/index.js";
import { BuiltinProxy } from "../../../src/proxy/builtin-proxy.js";
import { send, silentLog, startUpstream, type TestUpstream } from "./http-fixtures.js";
import { makeTestCa, type TestCa } from "./tls-fixtures.js";

let a: TestUpstream;
let ca: TestCa;
let www: { certFile: string; keyFile: string };
let preview: { certFile: string; keyFile: string };
let proxy: BuiltinProxy | undefined;

const routes: AppRoute[] = [];

beforeAll(async () => {
  a = await startUpstream("a");
  ca = makeTestCa();
  www = ca.issue("www", ["www.example.com", "example.com"]);
  preview = ca.issue("preview", ["*.preview.example.com"]);
  routes.push(
    { app: "web", env: "production", hostnames: ["www.example.com"], upstreams: [a.upstream()] },
    { app: "web", env: "pr-1", hostnames: ["*.preview.example.com"], upstreams: [a.upstream()] },
  );
});
afterAll(async () => {
  await a.close();
  rmSync(ca.dir, { recursive: true, force: true });
});
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

async function startProxy(redirectHttp = false) {
  proxy = new BuiltinProxy({
    listen: { host: "127.0.0.1", port: 0 },
    tls: { listen: { host: "127.0.0.1", port: 0 }, certificates: [www, preview], redirectHttp },
    log: silentLog,
  });
  proxy.setRoutes({ version: 1, routes });
  return proxy.start();
}

function get(port: number, host: string, servername: string | undefined) {
  return new Promise<{ status: number; body: string; cert: PeerCertificate }>((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/", headers: { host }, ca: ca.caPem, servername, agent: false },
      (res) => {
        const cert = (res.socket as TLSSocket).getPeerCertificate();
        let body = "";
        res.on("data", (c: Buffer) => {
          body += c.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, cert }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("BuiltinProxy TLS", () => {
  it("serves each hostname with its certificate, chosen by SNI, and tells the upstream the request was https", async () => {
    const { tlsPort } = await startProxy();
    const direct = await get(tlsPort!, "www.example.com", "www.example.com");
    expect(direct.status).toBe(200);
    expect(direct.cert.subject.CN).toBe("www.example.com");
    expect(JSON.parse(direct.body).headers["x-forwarded-proto"]).toBe("https");

    const wildcard = await get(tlsPort!, "web-pr-1.preview.example.com", "web-pr-1.preview.example.com");
    expect(wildcard.status).toBe(200);
    expect(wildcard.cert.subject.CN).toBe("*.preview.example.com");
  });

  it("answers a client that sends no server name with the first certificate", async () => {
    const { tlsPort } = await startProxy();
    const reply = await new Promise<PeerCertificate>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port: tlsPort, path: "/", rejectUnauthorized: false, agent: false },
        (res) => {
          resolve((res.socket as TLSSocket).getPeerCertificate());
          res.resume();
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(reply.subject.CN).toBe("www.example.com");
  });

  it("keeps plain HTTP working unless asked to redirect, and then redirects with 308 to the same path", async () => {
    const plain = await startProxy(false);
    expect((await send(plain.port, "www.example.com")).status).toBe(200);
    await proxy!.stop();

    const { port, tlsPort } = await startProxy(true);
    const reply = await send(port, "www.example.com:8080", "/a/b?c=1", { method: "POST", body: "x" });
    expect(reply.status).toBe(308);
    expect(reply.headers.location).toBe(`https://www.example.com:${tlsPort}/a/b?c=1`);
    expect((await send(port, "unknown.example.com")).status).toBe(404);
  });

  it("picks up renewed certificate files on reloadCertificates()", async () => {
    const { tlsPort } = await startProxy();
    const before = await get(tlsPort!, "www.example.com", "www.example.com");
    const renewed = ca.issue("www-renewed", ["www.example.com"]);
    copyFileSync(renewed.certFile, www.certFile);
    copyFileSync(renewed.keyFile, www.keyFile);
    await proxy!.reloadCertificates();
    const after = await get(tlsPort!, "www.example.com", "www.example.com");
    expect(after.cert.serialNumber).not.toBe(before.cert.serialNumber);
    expect(after.cert.subject.CN).toBe("www.example.com");
  });

  it("refuses to start with a key that does not match its certificate, naming the files", async () => {
    proxy = new BuiltinProxy({
      listen: { host: "127.0.0.1", port: 0 },
      tls: {
        listen: { host: "127.0.0.1", port: 0 },
        certificates: [{ certFile: www.certFile, keyFile: preview.keyFile }],
      },
      log: silentLog,
    });
    const error = await proxy.start().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DockhandError);
    expect((error as DockhandError).message).toContain(`TLS certificate ${www.certFile} with key ${preview.keyFile}:`);
  });
});
