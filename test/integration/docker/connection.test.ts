import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerHosts } from "../../../src/docker/index.js";
import type { HostSpec, ObservedHost } from "../../../src/model/index.js";
import { testbed, testbedHosts } from "../../support/testbed.js";

const [alpha, beta] = testbedHosts() as [HostSpec, HostSpec];
const certs = testbed().betaCerts;

function host(name: string, docker: string, extra: Partial<HostSpec> = {}): HostSpec {
  return { name, docker, address: "127.0.0.1", bind: "127.0.0.1", capacity: 10, labels: {}, ...extra };
}

async function observeOne(spec: HostSpec, observeTimeoutMs?: number): Promise<ObservedHost> {
  const hosts = new DockerHosts([spec], { observeTimeoutMs });
  try {
    const observed = await hosts.observe("connection-test");
    expect(observed.hosts).toHaveLength(1);
    return observed.hosts[0]!;
  } finally {
    await hosts.close();
  }
}

describe("connecting to engines", () => {
  it("reaches alpha over its unix socket and beta over TCP with TLS", async () => {
    const hosts = new DockerHosts([alpha, beta]);
    const observed = await hosts.observe("connection-test");
    await hosts.close();
    expect(observed.hosts.map((h) => [h.name, h.reachable, h.error])).toEqual([
      ["alpha", true, undefined],
      ["beta", true, undefined],
    ]);
  });

  it("reads `local` from DOCKER_HOST", async () => {
    const hosts = new DockerHosts([host("local-one", "local")], { env: { DOCKER_HOST: testbed().alpha } });
    expect(await hosts.hasImage("local-one", "busybox:stable")).toBe(true);
    await hosts.close();
  });

  it("reports a refused TCP endpoint as unreachable, with the host and the cause", async () => {
    const observed = await observeOne(host("gamma", "tcp://127.0.0.2:1"));
    expect(observed).toMatchObject({ name: "gamma", reachable: false, containers: [], images: [] });
    expect(observed.error).toMatch(
      /^host gamma \(tcp:\/\/127\.0\.0\.2:1\) is unreachable: connect ECONNREFUSED 127\.0\.0\.2:1$/,
    );
  });

  it("reports a missing socket as unreachable", async () => {
    const observed = await observeOne(host("delta", "unix:///run/dockhand-testbed/no-such.sock"));
    expect(observed.reachable).toBe(false);
    expect(observed.error).toBe(
      "host delta (unix:///run/dockhand-testbed/no-such.sock) is unreachable: connect ENOENT /run/dockhand-testbed/no-such.sock",
    );
  });

  it("keeps reporting the other hosts when one is down", async () => {
    const hosts = new DockerHosts([alpha, host("gamma", "tcp://127.0.0.2:1"), beta]);
    const observed = await hosts.observe("connection-test");
    await hosts.close();
    expect(observed.hosts.map((h) => [h.name, h.reachable])).toEqual([
      ["alpha", true],
      ["gamma", false],
      ["beta", true],
    ]);
  });

  it("throws a transient HOST_UNREACHABLE from other calls to a dead host", async () => {
    const hosts = new DockerHosts([host("gamma", "tcp://127.0.0.2:1")]);
    await expect(hosts.logsTail("gamma", "abc", 10)).rejects.toMatchObject({
      code: "DOCKHAND_E_HOST_UNREACHABLE",
      transient: true,
      message: "host gamma (tcp://127.0.0.2:1) is unreachable: connect ECONNREFUSED 127.0.0.2:1",
    });
    await hosts.close();
  });

  describe("with an engine that accepts but never answers", () => {
    let server: Server;
    let port = 0;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      server = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const address = server.address();
      port = typeof address === "object" && address ? address.port : 0;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    it("gives up on observing it after the observe timeout", async () => {
      const observed = await observeOne(host("silent", `tcp://127.0.0.1:${port}`), 300);
      expect(observed.reachable).toBe(false);
      expect(observed.error).toMatch(
        new RegExp(
          `^host silent \\(tcp://127\\.0\\.0\\.1:${port}\\) is unreachable: no answer to (list containers|list images|read engine info) within 300 ms$`,
        ),
      );
    });
  });

  describe("TLS", () => {
    it("names the host and the file when a TLS file cannot be read", async () => {
      const missing = `${certs}/no-such-cert.pem`;
      const spec = { ...beta, tls: { ...beta.tls!, cert: missing } };
      const expected = `host beta: cannot read its TLS cert file ${missing} (tls.cert): ENOENT: no such file or directory, open '${missing}'`;
      const observed = await observeOne(spec);
      expect(observed).toMatchObject({ reachable: false, error: expected });
      const hosts = new DockerHosts([spec]);
      await expect(hosts.hasImage("beta", "busybox:stable")).rejects.toMatchObject({
        code: "DOCKHAND_E_HOST_UNREACHABLE",
        transient: false,
        message: expected,
      });
      await hosts.close();
    });

    it("reports an engine whose certificate the CA does not vouch for as unreachable", async () => {
      // The client certificate is not a CA: verifying the engine against it must fail.
      const spec = { ...beta, tls: { ...beta.tls!, ca: `${certs}/cert.pem` } };
      const observed = await observeOne(spec);
      expect(observed.reachable).toBe(false);
      expect(observed.error).toMatch(/^host beta \(tcp:\/\/127\.0\.0\.2:2376\) is unreachable: .*certificate/);
    });

    it("says to configure TLS when plain TCP meets a TLS-only engine", async () => {
      const spec = { ...beta, tls: undefined };
      const observed = await observeOne(spec, 5_000);
      expect(observed).toMatchObject({
        reachable: false,
        error:
          "host beta (tcp://127.0.0.2:2376) is unreachable: it speaks TLS only: give the host tls { ca, cert, key }",
      });
    });
  });

  it("refuses an endpoint it cannot speak, saying what would work", async () => {
    const observed = await observeOne(host("epsilon", "http://10.0.0.9:2375"));
    expect(observed).toMatchObject({
      reachable: false,
      error:
        'host epsilon: docker "http://10.0.0.9:2375" is not supported: expected local, unix:///path/to/docker.sock, tcp://host:port or ssh://user@host[:port]',
    });
  });

  it("cannot be used after close", async () => {
    const hosts = new DockerHosts([alpha]);
    await hosts.close();
    await expect(hosts.hasImage("alpha", "busybox:stable")).rejects.toMatchObject({ code: "DOCKHAND_E_USAGE" });
  });
});
