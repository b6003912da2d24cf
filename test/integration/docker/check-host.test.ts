/**
 * The host check against the test bed's engines, and against what a broken
 * host looks like from here: a dead engine's socket, a refused port, an
 * address that reaches nothing, refused TLS credentials, a silent engine, a
 * missing image, an engine too slow for the deadline. Whatever happens, the
 * check's own containers are gone when it returns.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sweepCheckContainers } from "../../../src/docker/check-containers.js";
import { connectEngine } from "../../../src/docker/connect-engine.js";
import { DOCKER_DEFAULTS } from "../../../src/docker/docker-defaults.js";
import { checkHosts, type HostCheck } from "../../../src/docker/index.js";
import { type HostSpec, LABELS } from "../../../src/model/index.js";
import { testbed, testbedHosts } from "../../support/testbed.js";
import { makeTestCa } from "../proxy/tls-fixtures.js";

const instance = `hc${randomBytes(3).toString("hex")}`;
const [alpha, beta] = testbedHosts() as [HostSpec, HostSpec];
const dir = mkdtempSync(join(tmpdir(), "dockhand-check-host-"));
// Generous: the test bed's engines are shared with other test runs on two cores.
const SLOW_BED_MS = 60_000;

async function checkOne(host: HostSpec, options: { timeoutMs?: number; image?: string } = {}): Promise<HostCheck> {
  const [result] = await checkHosts([host], { instance, timeoutMs: SLOW_BED_MS, ...options });
  if (!result) throw new Error("checkHosts returned nothing");
  return result;
}

function statuses(result: HostCheck): Record<string, string> {
  return Object.fromEntries(result.checks.map((c) => [c.check, c.status]));
}

function find(result: HostCheck, check: string) {
  return result.checks.find((c) => c.check === check);
}

/** This test's check containers still on `host`'s engine (there must be none after a check). */
async function leftOn(host: HostSpec): Promise<string[]> {
  const engine = connectEngine(host);
  try {
    const filters = { label: [LABELS.check, `${LABELS.instance}=${instance}`] };
    const listed = await engine.docker.listContainers({ all: true, filters });
    return listed.map((c) => c.Names[0] ?? c.Id);
  } finally {
    engine.agent.destroy();
  }
}

afterAll(async () => {
  for (const host of [alpha, beta]) {
    const engine = connectEngine(host);
    await sweepCheckContainers(engine, instance, Date.now() + DOCKER_DEFAULTS.staleCheckMs * 2);
    engine.agent.destroy();
  }
});

describe("hosts that work", () => {
  it("alpha over its socket and beta over TCP+TLS pass every check, and nothing is left behind", async () => {
    const results = await checkHosts([alpha, beta], { instance, timeoutMs: SLOW_BED_MS });
    for (const result of results) {
      expect(result.checks.filter((c) => c.status !== "pass")).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.facts).toMatchObject({
        apiVersion: "1.41",
        storageDriver: "overlay2",
        containers: 0,
        capacity: 50,
        freeBytes: expect.any(Number),
        clockSkewMs: expect.any(Number),
      });
      expect(Math.abs(result.facts.clockSkewMs ?? Infinity)).toBeLessThan(DOCKER_DEFAULTS.maxClockSkewMs);
    }
    const [a, b] = results as [HostCheck, HostCheck];
    expect([a.host, a.facts.transport, b.host, b.facts.transport]).toEqual(["alpha", "unix", "beta", "tcp+tls"]);
    expect(a.facts.addressUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(b.facts.addressUrl).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/$/);
    expect(find(b, "disk")?.detail).toMatch(
      /^[\d.]+ GiB free of [\d.]+ GiB \(\d+%\) on \/var\/lib\/dockhand-testbed\/beta$/,
    );
    expect(await leftOn(alpha)).toEqual([]);
    expect(await leftOn(beta)).toEqual([]);
  });
});

describe("an engine that is not there", () => {
  it("a dead engine's socket (the file stays, nothing listens) fails reachable: the engine is stopped", async () => {
    const socket = join(dir, "killed.sock");
    // A process that listens and dies by SIGKILL leaves its socket file, as a crashed dockerd does.
    const listenAndDie = `require("node:net").createServer().listen(${JSON.stringify(socket)}, () => process.kill(process.pid, "SIGKILL"))`;
    expect(() => execFileSync(process.execPath, ["-e", listenAndDie], { stdio: "ignore" })).toThrow();
    const result = await checkOne({ ...alpha, name: "dead", docker: `unix://${socket}` });
    expect(result.ok).toBe(false);
    expect(find(result, "reachable")).toEqual({
      check: "reachable",
      status: "fail",
      detail: `nothing accepts connections on ${socket}: the engine is stopped`,
      fix: "start the Docker engine (e.g. systemctl start docker), or set hosts.dead.docker to the socket it listens on",
    });
    expect(statuses(result)).toMatchObject({ authenticated: "skip", engine: "skip", address: "skip" });
  });

  it("a socket path with no socket fails reachable, naming the path", async () => {
    const result = await checkOne({ ...alpha, name: "gone", docker: `unix://${dir}/no-such.sock` });
    expect(find(result, "reachable")).toMatchObject({
      status: "fail",
      detail: `no socket at ${dir}/no-such.sock`,
      fix: "start the Docker engine there, or set hosts.gone.docker to the socket it listens on",
    });
  });

  it("a TCP port that refuses fails reachable", async () => {
    const result = await checkOne({ ...beta, name: "refusing", docker: "tcp://127.0.0.2:1" });
    expect(find(result, "reachable")).toMatchObject({
      status: "fail",
      detail: "connection refused at tcp://127.0.0.2:1: the engine is stopped or does not listen there",
      fix: expect.stringContaining("or fix hosts.refusing.docker"),
    });
  });

  describe("an engine that accepts but never answers", () => {
    let server: Server;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      server = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    it("fails reachable when the timeout passes", async () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      const started = performance.now();
      const result = await checkOne(
        { ...alpha, name: "silent", docker: `tcp://127.0.0.1:${port}` },
        { timeoutMs: 400 },
      );
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(find(result, "reachable")).toMatchObject({ status: "fail", detail: "no answer within 400 ms" });
    });
  });
});

describe("credentials the engine refuses", () => {
  const tls = beta.tls as NonNullable<HostSpec["tls"]>;

  it("a client certificate from a CA the engine does not trust fails authenticated", async () => {
    const stranger = makeTestCa().issue("client", ["stranger"]);
    const result = await checkOne({ ...beta, tls: { ...tls, cert: stranger.certFile, key: stranger.keyFile } });
    expect(find(result, "reachable")?.status).toBe("pass");
    expect(find(result, "authenticated")).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(new RegExp(`^the engine refused the client certificate ${stranger.certFile}: `)),
      fix: "set hosts.beta.tls.cert and .key to a client certificate signed by the CA the engine trusts (dockerd --tlscacert)",
    });
    expect(statuses(result)).toMatchObject({ engine: "skip", address: "skip" });
  });

  it("a tls.ca that did not sign the engine's certificate fails authenticated", async () => {
    const otherCa = makeTestCa();
    const result = await checkOne({ ...beta, tls: { ...tls, ca: join(otherCa.dir, "ca.pem") } });
    expect(find(result, "authenticated")).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/^the engine's certificate is not signed by .*ca\.pem: /),
      fix: "set hosts.beta.tls.ca to the CA that signed the engine's certificate (dockerd --tlscert)",
    });
  });

  it("plain TCP to a TLS-only engine fails authenticated, saying to add tls", async () => {
    const result = await checkOne({ ...beta, tls: undefined });
    expect(find(result, "authenticated")).toEqual({
      check: "authenticated",
      status: "fail",
      detail: "the engine speaks TLS only and refused a plain request",
      fix: "give hosts.beta.tls the CA, client certificate and key the engine trusts: tls: { ca, cert, key }",
    });
  });
});

describe("the address check", () => {
  it("fails an address nothing answers on, saying where the engine published the port", async () => {
    // Beta publishes on its bind address 127.0.0.2; nothing of it answers on 127.0.0.9.
    const result = await checkOne({ ...beta, name: "wrong", address: "127.0.0.9" });
    expect(result.ok).toBe(false);
    const address = find(result, "address");
    expect(address?.status).toBe("fail");
    expect(address?.detail).toMatch(
      /^GET http:\/\/127\.0\.0\.9:(\d+)\/ failed: connect ECONNREFUSED 127\.0\.0\.9:\1; the engine published the port on 127\.0\.0\.2:\1$/,
    );
    expect(address?.fix).toMatch(
      /^set hosts\.wrong\.address to an address of this host that this machine reaches on bindAddress's interface \(127\.0\.0\.2\)/,
    );
    expect(result.checks.filter((c) => c.status !== "pass").map((c) => c.check)).toEqual(["address"]);
    expect(await leftOn(beta)).toEqual([]);
  });

  it("fails a bind address the host does not have, naming the setting", async () => {
    const result = await checkOne({ ...alpha, name: "elsewhere", bind: "10.255.255.254" });
    expect(find(result, "address")).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/^could not start the check container: .*cannot assign requested address$/),
      fix: "10.255.255.254 is not an address of this host: set hosts.elsewhere.bindAddress (else address) to one of its IPs",
    });
    expect(await leftOn(alpha)).toEqual([]);
  });

  it("fails when the host lacks the check's image, with the command that fixes it", async () => {
    const result = await checkOne(alpha, { image: "dockhand-check/absent:none" });
    expect(find(result, "address")).toEqual({
      check: "address",
      status: "fail",
      detail: "host has no image dockhand-check/absent:none, which the address and disk checks run",
      fix: "on the host: docker pull dockhand-check/absent:none (or, offline: docker save dockhand-check/absent:none here, docker load there)",
    });
    expect(find(result, "disk")?.status).toBe("skip");
  });
});

/**
 * A unix socket in front of alpha's that holds every container start for
 * `delayMs`: an engine too slow for the check's deadline, mid-check.
 */
async function slowStartProxy(delayMs: number): Promise<{ path: string; held: number; close(): Promise<void> }> {
  const path = join(dir, "slow-start.sock");
  const target = testbed().alpha.slice("unix://".length);
  const state = { held: 0 };
  const server = createServer((client) => {
    const upstream = createConnection(target);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    upstream.pipe(client);
    client.on("data", (chunk: Buffer) => {
      if (!/^POST \S*\/containers\/[^/\s]+\/start/.test(chunk.toString("latin1"))) {
        upstream.write(chunk);
        return;
      }
      state.held++;
      client.pause();
      setTimeout(() => {
        upstream.write(chunk);
        client.resume();
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    path,
    get held() {
      return state.held;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("the deadline", () => {
  it("fails the checks still running when it passes, and still removes their containers", async () => {
    const timeoutMs = 3_000;
    const proxy = await slowStartProxy(timeoutMs + 1_000);
    try {
      const result = await checkOne({ ...alpha, name: "slow", docker: `unix://${proxy.path}` }, { timeoutMs });
      expect(proxy.held).toBeGreaterThanOrEqual(1);
      for (const check of ["address", "disk"]) {
        expect(find(result, check)).toEqual({
          check,
          status: "fail",
          detail: `no answer within ${timeoutMs} ms`,
          fix: "check the host's load and network, or raise --timeout",
        });
      }
      expect(find(result, "reachable")?.status).toBe("pass");
      expect(await leftOn(alpha)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe("sweepCheckContainers", () => {
  it("removes this instance's check containers older than staleCheckMs by the engine's clock, and keeps newer ones", async () => {
    const engine = connectEngine(alpha);
    try {
      const labels = { [LABELS.check]: "address", [LABELS.instance]: instance };
      const created = await engine.docker.createContainer({ Image: "busybox:stable", Cmd: ["true"], Labels: labels });
      expect(await sweepCheckContainers(engine, instance, Date.now())).toBe(0);
      expect(await leftOn(alpha)).toHaveLength(1);
      // As seen from a clock past the stale age: a check that died left it.
      expect(await sweepCheckContainers(engine, instance, Date.now() + DOCKER_DEFAULTS.staleCheckMs + 60_000)).toBe(1);
      expect(await leftOn(alpha)).toEqual([]);
      await created.remove({ force: true }).catch(() => undefined);
    } finally {
      engine.agent.destroy();
    }
  });
});
