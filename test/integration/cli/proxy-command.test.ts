/**
 * `dockhand proxy` (issue 5): a proxy alone, following the route table in
 * Redis, with the driver asked for. A real local upstream, the test bed's
 * Redis, and the real CLI as a child process.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisRouteStore } from "../../../src/proxy/index.js";
import { type DockhandProcess, startDockhand } from "../../support/dockhand-process.js";
import { freePort } from "../../support/free-port.js";
import { proxyGet } from "../../support/proxy-get.js";
import { testbed } from "../../support/testbed.js";
import { waitFor } from "../../support/wait-for.js";
import { makeTestCa } from "../proxy/tls-fixtures.js";

const instance = `p${randomBytes(3).toString("hex")}`;

/** GET / of `servername` over TLS, verifying its certificate against `ca`. */
function httpsGet(port: number, servername: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/", servername, ca, headers: { host: servername }, agent: false },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}
let upstream: Server;
let upstreamPort: number;
let store: RedisRouteStore;
const running: DockhandProcess[] = [];

beforeAll(async () => {
  upstream = createServer((_req, res) => res.end("from upstream"));
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const address = upstream.address();
  upstreamPort = typeof address === "object" && address ? address.port : 0;
  store = new RedisRouteStore({ redis: testbed().redisUrl, prefix: `dockhand:${instance}:` });
  await store.setApp({
    app: "web",
    env: "production",
    hostnames: ["web.test"],
    upstreams: [{ host: "alpha", address: "127.0.0.1", port: upstreamPort, container: "web-0", state: "active" }],
  });
});

afterAll(async () => {
  for (const p of running) await p.stop();
  await store.removeApp("production", "web");
  await store.close();
  upstream.close();
});

describe("dockhand proxy", () => {
  for (const driver of ["builtin", "nginx"]) {
    it(`serves the route table from Redis with the ${driver} driver`, async () => {
      const port = await freePort();
      const proxy = startDockhand(["proxy", "--driver", driver, "--listen", `127.0.0.1:${port}`], {
        REDIS_URL: testbed().redisUrl,
        DOCKHAND_INSTANCE: instance,
        DOCKHAND_STATE_DIR: mkdtempSync(join(tmpdir(), "dockhand-proxy-")),
        DOCKHAND_REPO: "",
      });
      running.push(proxy);
      const answer = await waitFor(
        `the ${driver} proxy to route web.test`,
        async () => {
          const r = await proxyGet(port, "web.test");
          return r.status === 200 ? r : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect(answer.body).toBe("from upstream");
      expect((await proxyGet(port, "nobody.test")).status).toBe(404);
      expect(await proxy.stop()).toBe(0);
    });
  }

  it("serves HTTPS from the certificate files dockhand.yaml names, and redirects plain HTTP", async () => {
    const [port, tlsPort] = [await freePort(), await freePort()];
    const ca = makeTestCa();
    const cert = ca.issue("web", ["web.test"]);
    const repo = mkdtempSync(join(tmpdir(), "dockhand-proxy-repo-"));
    mkdirSync(join(repo, "apps"));
    writeFileSync(
      join(repo, "dockhand.yaml"),
      [
        "hosts:",
        "  alpha: { docker: local, address: 127.0.0.1 }",
        "proxy:",
        `  listen: 127.0.0.1:${port}`,
        "  tls:",
        `    listen: 127.0.0.1:${tlsPort}`,
        "    redirect: true",
        `    certificates: [{ cert: ${cert.certFile}, key: ${cert.keyFile} }]`,
        "",
      ].join("\n"),
    );
    const proxy = startDockhand(["proxy", "--repo", repo], {
      REDIS_URL: testbed().redisUrl,
      DOCKHAND_INSTANCE: instance,
      DOCKHAND_STATE_DIR: mkdtempSync(join(tmpdir(), "dockhand-proxy-")),
      DOCKHAND_REPO: "",
    });
    running.push(proxy);
    const secure = await waitFor(
      "the built-in proxy to serve web.test over HTTPS",
      // Listening comes before the first table is served: wait for the route, not just an answer.
      async () => {
        const r = await httpsGet(tlsPort, "web.test", ca.caPem).catch(() => undefined);
        return r?.status === 200 ? r : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(secure).toEqual({ status: 200, body: "from upstream" });
    const plain = await proxyGet(port, "web.test");
    expect(plain.status).toBe(308);
    expect(await proxy.stop()).toBe(0);
  });

  it("refuses an unknown driver with a message that lists the right ones", async () => {
    const proxy = startDockhand(["proxy", "--driver", "traefik"], { REDIS_URL: testbed().redisUrl, DOCKHAND_REPO: "" });
    const code = await new Promise<number | null>((resolve) => proxy.child.once("exit", resolve));
    expect(code).toBe(1);
    expect(proxy.lines.map((l) => l.msg).join("\n")).toContain(
      'error: --driver must be one of builtin, nginx, caddy, got "traefik"',
    );
  });
});
