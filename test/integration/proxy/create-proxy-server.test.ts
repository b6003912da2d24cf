import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyDriver } from "../../../src/model/index.js";
import { createProxyServer } from "../../../src/proxy/create-proxy-server.js";
import { closedPort, nameOf, send, silentLog, startUpstream, type TestUpstream } from "./http-fixtures.js";

let a: TestUpstream;
let stateDir: string;

beforeAll(async () => {
  a = await startUpstream("a");
  stateDir = mkdtempSync(join(tmpdir(), "dockhand-drivers-"));
});
afterAll(async () => {
  await a.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe("createProxyServer", () => {
  const drivers: ProxyDriver[] = ["builtin", "nginx", "caddy"];
  it.each(drivers)("serves the same route table with proxy.driver: %s", async (driver) => {
    const port = await closedPort();
    const caddyAdmin = { host: "127.0.0.1", port: await closedPort() };
    const proxy = createProxyServer({
      driver,
      listen: { host: "127.0.0.1", port },
      log: silentLog,
      stateDir,
      caddyAdmin,
    });
    try {
      expect(proxy.driver).toBe(driver);
      expect(await proxy.start()).toEqual({ port });
      const served = await proxy.setRoutes({
        version: 1,
        routes: [{ app: "web", env: "production", hostnames: ["www.example.com"], upstreams: [a.upstream()] }],
      });
      expect(served).toBe(true);
      expect(nameOf(await send(port, "www.example.com"))).toBe("a");
      expect((await send(port, "other.example.com")).status).toBe(404);
      expect(proxy.inFlight("a")).toBe(driver === "builtin" ? 0 : undefined);
    } finally {
      await proxy.stop();
    }
  });
});
