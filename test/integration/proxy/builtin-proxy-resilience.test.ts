import { Agent } from "node:http";
import { type AddressInfo, createServer as createTcpServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AppRoute, RouteTable } from "../../../src/model/index.js";
import { BuiltinProxy } from "../../../src/proxy/builtin-proxy.js";
import {
  closedPort,
  nameOf,
  send,
  silentLog,
  startResetter,
  startUpstream,
  type TestUpstream,
  until,
} from "./http-fixtures.js";

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

function web(upstreams: AppRoute["upstreams"]): AppRoute {
  return { app: "web", env: "production", hostnames: ["www.example.com"], upstreams };
}

async function startProxy(table: RouteTable, options: Partial<ConstructorParameters<typeof BuiltinProxy>[0]> = {}) {
  proxy = new BuiltinProxy({ listen: { host: "127.0.0.1", port: 0 }, log: silentLog, ...options });
  proxy.setRoutes(table);
  return (await proxy.start()).port;
}

const refused = (port: number, name: string) =>
  ({ host: "alpha", address: "127.0.0.1", port, container: name, state: "active" }) as const;

describe("BuiltinProxy under change and failure", () => {
  it("sends no new request to a draining upstream, while its in-flight request completes", async () => {
    const port = await startProxy({ version: 1, routes: [web([a.upstream()])] });
    const slow = send(port, "www.example.com", "/slow?release=d1");
    await until(() => a.held("d1"), "the slow request to reach a");
    expect(proxy!.inFlight("a")).toBe(1);

    proxy!.setRoutes({ version: 2, routes: [web([a.upstream("draining"), b.upstream()])] });
    const seenByA = a.seen.length;
    for (let i = 0; i < 5; i++) expect(nameOf(await send(port, "www.example.com"))).toBe("b");
    expect(a.seen.length).toBe(seenByA);

    a.release("d1");
    const reply = await slow;
    expect(reply.status).toBe(200);
    expect(nameOf(reply)).toBe("a");
    expect(proxy!.inFlight("a")).toBe(0);
  });

  it("lets an in-flight request finish when its upstream leaves the table altogether", async () => {
    const port = await startProxy({ version: 1, routes: [web([a.upstream()])] });
    const slow = send(port, "www.example.com", "/slow?release=d2");
    await until(() => a.held("d2"), "the slow request to reach a");
    proxy!.setRoutes({ version: 2, routes: [web([b.upstream()])] });
    a.release("d2");
    expect(nameOf(await slow)).toBe("a");
  });

  it("swaps routes 20 times under a steady stream of requests without one error", async () => {
    const port = await startProxy({ version: 1, routes: [web([a.upstream()])] });
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let running = true;
    const client = async () => {
      while (running) {
        try {
          const reply = await send(port, "www.example.com", "/", { agent });
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    const sets = [[a, b], [b, c], [c, a], [a], [b]];
    let version = 1;
    for (let i = 0; i < 20; i++) {
      const next = sets[i % sets.length]!;
      const current = proxy!.routesVersion;
      const previous = sets[(i + sets.length - 1) % sets.length]!;
      // Add new, drain old, then drop old: the order a rollout uses.
      const draining = previous.filter((u) => !next.includes(u)).map((u) => u.upstream("draining"));
      proxy!.setRoutes({ version: ++version, routes: [web([...next.map((u) => u.upstream()), ...draining])] });
      await new Promise((r) => setTimeout(r, 20));
      proxy!.setRoutes({ version: ++version, routes: [web(next.map((u) => u.upstream()))] });
      expect(proxy!.routesVersion).toBeGreaterThan(current);
      await new Promise((r) => setTimeout(r, 20));
    }
    running = false;
    await Promise.all(clients);
    agent.destroy();
    expect(failures).toEqual([]);
    expect([...statuses.keys()]).toEqual([200]);
    expect(statuses.get(200)).toBeGreaterThan(100);
  });

  it("retries a refused connection on another upstream, for POST with a body and for GET", async () => {
    const dead = await closedPort();
    // Round robin starts at the first upstream, so the first request meets the refused port.
    const port = await startProxy(
      { version: 1, routes: [web([refused(dead, "dead"), b.upstream()])] },
      { ejectAfterFailures: 0 },
    );
    const posted = await send(port, "www.example.com", "/echo", { method: "POST", body: "payload" });
    expect(JSON.parse(posted.body)).toMatchObject({ name: "b", length: 7 });
    for (let i = 0; i < 4; i++) expect(nameOf(await send(port, "www.example.com"))).toBe("b");
  });

  it("answers 502 when every upstream refuses", async () => {
    const port = await startProxy({
      version: 1,
      routes: [web([refused(await closedPort(), "x"), refused(await closedPort(), "y")])],
    });
    const reply = await send(port, "www.example.com");
    expect(reply.status).toBe(502);
    expect(reply.body).toBe("bad gateway\n");
  });

  it("ejects an upstream that keeps failing, so it stops getting requests for a while", async () => {
    const resetter = await startResetter("flaky");
    try {
      const port = await startProxy(
        { version: 1, routes: [web([resetter.upstream, b.upstream()])] },
        { ejectAfterFailures: 2 },
      );
      for (let i = 0; i < 4; i++) expect(nameOf(await send(port, "www.example.com"))).toBe("b");
      expect(resetter.connections()).toBe(2);
      for (let i = 0; i < 6; i++) expect(nameOf(await send(port, "www.example.com"))).toBe("b");
      expect(resetter.connections()).toBe(2);
    } finally {
      await resetter.close();
    }
  });

  it("answers 502 when an upstream sends a malformed header", async () => {
    const raw = createTcpServer((socket) => {
      socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\nX-Odd: a\x7fb\r\nContent-Length: 2\r\n\r\nok"));
    });
    await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", () => resolve()));
    try {
      const rawPort = (raw.address() as AddressInfo).port;
      const port = await startProxy({
        version: 1,
        routes: [web([{ ...a.upstream(), container: "odd", port: rawPort }])],
      });
      const reply = await send(port, "www.example.com");
      expect(reply.status).toBe(502);
      expect(reply.body).toBe("bad gateway\n");
    } finally {
      raw.close();
    }
  });

  it("answers 504 when an upstream does not answer within upstreamHeadersTimeoutMs", async () => {
    const port = await startProxy({ version: 1, routes: [web([a.upstream()])] }, { upstreamHeadersTimeoutMs: 200 });
    const reply = await send(port, "www.example.com", "/slow?release=t1");
    a.release("t1");
    expect(reply.status).toBe(504);
    expect(reply.body).toBe("upstream timed out\n");
  });

  it("least-in-flight sends new requests away from a busy upstream", async () => {
    const port = await startProxy(
      { version: 1, routes: [web([a.upstream(), b.upstream()])] },
      { strategy: "least-in-flight" },
    );
    const slow = send(port, "www.example.com", "/slow?release=l1");
    await until(() => a.held("l1") || b.held("l1"), "the slow request to be held");
    const busy = a.held("l1") ? a : b;
    const idle = busy === a ? "b" : "a";
    for (let i = 0; i < 4; i++) expect(nameOf(await send(port, "www.example.com"))).toBe(idle);
    busy.release("l1");
    await slow;
  });

  it("stop() lets an in-flight request finish", async () => {
    const port = await startProxy({ version: 1, routes: [web([a.upstream()])] });
    const slow = send(port, "www.example.com", "/slow?release=s9");
    await until(() => a.held("s9"), "the slow request to reach a");
    const stopped = proxy!.stop();
    a.release("s9");
    expect(nameOf(await slow)).toBe("a");
    await stopped;
  });
});
