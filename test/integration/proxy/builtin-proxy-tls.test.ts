import { X509Certificate } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import type { PeerCertificate, TLSSocket } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AppRoute } from "../../../src/model/index.js";
import { DockhandError } from "../../../src/model/index.js";
import { BuiltinProxy } from "../../../src/proxy/builtin-proxy.js";
import type { ProxyLog } from "../../../src/proxy/proxy-log.js";
import { waitFor } from "../../support/wait-for.js";
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

async function startProxy(redirectHttp = false, certificates = [www, preview], log: ProxyLog = silentLog) {
  proxy = new BuiltinProxy({
    listen: { host: "127.0.0.1", port: 0 },
    tls: { listen: { host: "127.0.0.1", port: 0 }, certificates, redirectHttp },
    log,
  });
  proxy.setRoutes({ version: 1, routes });
  return proxy.start();
}

/** The serial number of the certificate a TLS handshake for `servername` is answered with. */
async function servedSerial(port: number, servername: string): Promise<string> {
  return (await get(port, servername, servername)).cert.serialNumber;
}

function serialOf(certFile: string): string {
  return new X509Certificate(readFileSync(certFile)).serialNumber;
}

/** A ProxyLog that keeps its warnings. */
function recordingLog(): ProxyLog & { warnings: Array<{ obj: Record<string, string>; msg: string }> } {
  const warnings: Array<{ obj: Record<string, string>; msg: string }> = [];
  const ignore = () => undefined;
  return {
    warnings,
    debug: ignore,
    info: ignore,
    error: ignore,
    warn: (obj, msg) => warnings.push({ obj: obj as Record<string, string>, msg }),
  };
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

  it("serves a certificate renewed in place without a restart: it watches the files' folder", async () => {
    const files = ca.issue("in-place", ["renew.example.com"]);
    const { tlsPort } = await startProxy(false, [files]);
    const before = await servedSerial(tlsPort!, "renew.example.com");
    const renewed = ca.issue("in-place-renewed", ["renew.example.com"]);
    copyFileSync(renewed.certFile, files.certFile);
    copyFileSync(renewed.keyFile, files.keyFile);
    const after = await waitFor("the renewed certificate to be served", async () => {
      const serial = await servedSerial(tlsPort!, "renew.example.com");
      return serial !== before && serial;
    });
    expect(after).toBe(serialOf(renewed.certFile));
  });

  it("follows a renewal that repoints the configured links (certbot's live/ to archive/)", async () => {
    const first = ca.issue("linked-1", ["linked.example.com"]);
    const live = mkdtempSync(join(ca.dir, "live-"));
    const link = (name: string, target: string) => {
      // As certbot does: the new link is made beside the old one and renamed over it.
      symlinkSync(target, join(live, `${name}.new`));
      renameSync(join(live, `${name}.new`), join(live, name));
    };
    link("cert.pem", first.certFile);
    link("key.pem", first.keyFile);
    const { tlsPort } = await startProxy(false, [{ certFile: join(live, "cert.pem"), keyFile: join(live, "key.pem") }]);
    expect(await servedSerial(tlsPort!, "linked.example.com")).toBe(serialOf(first.certFile));
    const second = ca.issue("linked-2", ["linked.example.com"]);
    link("key.pem", second.keyFile);
    link("cert.pem", second.certFile);
    await waitFor("the certificate behind the repointed link to be served", async () => {
      return (await servedSerial(tlsPort!, "linked.example.com")) === serialOf(second.certFile);
    });
  });

  it("keeps serving the certificate it has while a renewal is half-written, and the new one once it is whole", async () => {
    const files = ca.issue("half", ["half.example.com"]);
    const log = recordingLog();
    const { tlsPort } = await startProxy(false, [files], log);
    const before = await servedSerial(tlsPort!, "half.example.com");
    const renewed = ca.issue("half-renewed", ["half.example.com"]);
    log.warnings.length = 0;
    copyFileSync(renewed.certFile, files.certFile);
    const warning = await waitFor("the half-written renewal to be refused", () => log.warnings.at(-1));
    expect(warning.msg).toBe(
      "TLS certificate files changed but do not load; the certificates read before are still served",
    );
    expect(warning.obj.err).toContain(`TLS certificate ${files.certFile} with key ${files.keyFile}:`);
    expect(await servedSerial(tlsPort!, "half.example.com")).toBe(before);
    copyFileSync(renewed.keyFile, files.keyFile);
    await waitFor("the completed renewal to be served", async () => {
      return (await servedSerial(tlsPort!, "half.example.com")) === serialOf(renewed.certFile);
    });
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
