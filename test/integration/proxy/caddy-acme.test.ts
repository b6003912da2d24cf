/**
 * Issue 5: "Caddy: automatic HTTPS for the app hostnames", issuance tested
 * against Pebble. Real Caddy gets a certificate from the test bed's real
 * Pebble for an app hostname; an HTTPS request with that name as SNI,
 * verifying the chain against Pebble's root, reaches the upstream.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PeerCertificate } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaddyDriver } from "../../../src/proxy/caddy-driver.js";
import { testbedPebble } from "../../support/testbed.js";
import { closedPort, silentLog, startUpstream, type TestUpstream } from "./http-fixtures.js";
import { fetchPebbleRoot } from "./pebble-fixture.js";

interface TlsReply {
  status: number;
  body: string;
  cert: PeerCertificate;
}

function httpsGet(port: number, servername: string, ca: string): Promise<TlsReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, servername, path: "/", headers: { host: servername }, ca, agent: false },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on("end", () => {
          const cert = (res.socket as import("node:tls").TLSSocket).getPeerCertificate();
          resolve({ status: res.statusCode ?? 0, body, cert });
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** Caddy obtains certificates in the background after a load: retry until the handshake verifies. */
async function untilServed(port: number, servername: string, ca: string): Promise<TlsReply> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await httpsGet(port, servername, ca);
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`no verified HTTPS answer for ${servername}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

let dir: string;
let upstream: TestUpstream;
let caddy: CaddyDriver;
let httpsPort: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dockhand-caddy-acme-"));
  upstream = await startUpstream("secure");
  const pebble = testbedPebble();
  httpsPort = await closedPort();
  caddy = new CaddyDriver({
    dir,
    listen: { host: "127.0.0.1", port: await closedPort() },
    admin: { host: "127.0.0.1", port: await closedPort() },
    log: silentLog,
    acme: {
      ca: pebble.directory,
      email: "ops@example.test",
      trustedRootsPem: [pebble.httpsCa],
      httpsListen: { host: "127.0.0.1", port: httpsPort },
    },
  });
  await caddy.start();
});
afterAll(async () => {
  await caddy?.stop();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("CaddyDriver with automatic HTTPS against Pebble", () => {
  it("gets a certificate for an app hostname and serves it over HTTPS with SNI", async () => {
    const hostname = `app-${process.pid}.example.test`;
    await caddy.setRoutes({
      version: 1,
      routes: [{ app: "web", env: "production", hostnames: [hostname], upstreams: [upstream.upstream()] }],
    });
    const root = await fetchPebbleRoot(testbedPebble());
    const reply = await untilServed(httpsPort, hostname, root);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ name: "secure", headers: { "x-forwarded-proto": "https" } });
    expect(reply.cert.subjectaltname).toBe(`DNS:${hostname}`);
    expect(reply.cert.issuer.CN).toMatch(/^Pebble Intermediate CA/);
  });
});
