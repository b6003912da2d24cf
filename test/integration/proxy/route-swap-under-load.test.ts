/**
 * Issue 5, "Route changes drop nothing": constant load through each driver
 * while routes swap upstreams 20 times the way a rollout does (add new, drain
 * old, drop old, stop old).
 *
 * Every driver is held to zero failed requests and zero 5xx, with a plain
 * client that never sends a request twice. The built-in proxy swaps tables in
 * memory; nginx and Caddy would close idle client connections on a reload or
 * /load (a request sent on one at that moment gets no answer), so their
 * drivers change upstreams without one: nginx reads them per request through
 * njs, Caddy looks them up as SRV records from dockhand (docs/proxy.md).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRoute, RouteTable } from "../../../src/model/index.js";
import { BuiltinProxy } from "../../../src/proxy/builtin-proxy.js";
import { CaddyDriver } from "../../../src/proxy/caddy-driver.js";
import { NginxDriver } from "../../../src/proxy/nginx-driver.js";
import {
  closedPort,
  StaleConnectionError,
  send,
  silentLog,
  startUpstream,
  type TestUpstream,
  until,
} from "./http-fixtures.js";

interface Served {
  port: number;
  setRoutes(table: RouteTable): Promise<unknown>;
  /** Resolves once the old upstreams have nothing more to answer: in-flight counts where the proxy has them, else a drain period. */
  drained(old: TestUpstream[]): Promise<void>;
  stop(): Promise<void>;
}

/** nginx and Caddy report no in-flight counts: like the executor, wait a drain period, then for the upstreams to be idle. */
async function drainPeriod(old: TestUpstream[]): Promise<void> {
  await new Promise((r) => setTimeout(r, 150));
  await until(() => old.every((u) => u.active === 0), "the old upstreams to finish");
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "dockhand-swap-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const drivers: Record<string, () => Promise<Served>> = {
  builtin: async () => {
    const proxy = new BuiltinProxy({ listen: { host: "127.0.0.1", port: 0 }, log: silentLog });
    const { port } = await proxy.start();
    return {
      port,
      setRoutes: async (t) => proxy.setRoutes(t),
      drained: (old) => until(() => old.every((u) => proxy.inFlight(u.name) === 0), "in-flight requests to finish"),
      stop: () => proxy.stop(),
    };
  },
  nginx: async () => {
    const port = await closedPort();
    const nginx = new NginxDriver({ dir: join(dir, "nginx"), listen: { host: "127.0.0.1", port }, log: silentLog });
    await nginx.start();
    return { port, setRoutes: (t) => nginx.setRoutes(t), drained: drainPeriod, stop: () => nginx.stop() };
  },
  caddy: async () => {
    const port = await closedPort();
    const admin = { host: "127.0.0.1", port: await closedPort() };
    const caddy = new CaddyDriver({
      dir: join(dir, "caddy"),
      listen: { host: "127.0.0.1", port },
      admin,
      log: silentLog,
    });
    await caddy.start();
    return { port, setRoutes: (t) => caddy.setRoutes(t), drained: drainPeriod, stop: () => caddy.stop() };
  },
};

function web(upstreams: AppRoute["upstreams"]): AppRoute {
  return { app: "web", env: "production", hostnames: ["www.example.com"], upstreams };
}

/** Clients that send requests back to back over keep-alive connections until stopped. */
function load(port: number, clients: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const tally = { ok: 0, failed: [] as string[] };
  let running = true;
  const loop = async (i: number) => {
    for (let n = 0; running; n++) {
      const post = (n + i) % 4 === 0;
      try {
        const reply = await send(port, "www.example.com", post ? "/echo" : "/", {
          agent,
          method: post ? "POST" : "GET",
          body: post ? "payload" : undefined,
        });
        if (reply.status === 200) tally.ok++;
        else tally.failed.push(`status ${reply.status}: ${reply.body.slice(0, 100)}`);
      } catch (err) {
        tally.failed.push(
          `${post ? "POST" : "GET"} ${err instanceof StaleConnectionError ? "stale" : "fresh"}: ${(err as Error).message}`,
        );
      }
    }
  };
  const done = Promise.all(Array.from({ length: clients }, (_, i) => loop(i)));
  return {
    tally,
    stop: async () => {
      running = false;
      await done;
      agent.destroy();
    },
  };
}

describe.each(Object.keys(drivers))("route swaps under load through %s", (name) => {
  it("20 swaps: zero failed requests, zero 5xx", async () => {
    const served = await drivers[name]!();
    let version = 1;
    let current: TestUpstream[] = await Promise.all([startUpstream("v0-a"), startUpstream("v0-b")]);
    const stopping: Array<Promise<void>> = [];
    try {
      await served.setRoutes({ version, routes: [web(current.map((u) => u.upstream()))] });
      const traffic = load(served.port, 8);
      await until(() => traffic.tally.ok > 50, "traffic to flow");
      for (let swap = 1; swap <= 20; swap++) {
        const next: TestUpstream[] = await Promise.all([startUpstream(`v${swap}-a`), startUpstream(`v${swap}-b`)]);
        const all = (state: "active" | "draining", ups: TestUpstream[]) => ups.map((u) => u.upstream(state));
        // Route in, then route out at once, as the executor does: proxies follow the store and nobody waits in between.
        const routedIn = served.setRoutes({
          version: ++version,
          routes: [web([...all("active", current), ...all("active", next)])],
        });
        await served.setRoutes({
          version: ++version,
          routes: [web([...all("draining", current), ...all("active", next)])],
        });
        await routedIn;
        await until(() => next.every((u) => u.seen.length >= 5), "the new upstreams to get traffic");
        const old = current;
        await served.drained(old);
        await served.setRoutes({ version: ++version, routes: [web(all("active", next))] });
        stopping.push(...old.map((u) => u.stop()));
        current = next;
        const okBefore = traffic.tally.ok;
        await until(() => traffic.tally.ok >= okBefore + 100, "traffic on the new upstreams");
      }
      await until(() => traffic.tally.ok > 0, "traffic after the last swap");
      await traffic.stop();
      const kinds: Record<string, number> = {};
      for (const f of traffic.tally.failed) kinds[f] = (kinds[f] ?? 0) + 1;
      console.log(`${name}: ${JSON.stringify({ ok: traffic.tally.ok, failed: traffic.tally.failed.length, kinds })}`);
      expect(traffic.tally.failed).toEqual([]);
      expect(traffic.tally.ok).toBeGreaterThan(2000);
    } finally {
      await served.stop();
      await Promise.all(current.map((u) => u.close()));
      await Promise.race([Promise.all(stopping), new Promise((r) => setTimeout(r, 2_000))]);
    }
  });
});
