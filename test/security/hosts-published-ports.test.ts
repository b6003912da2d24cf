/**
 * A published port listens on its host's bind address only. On an address
 * of every interface, a container is reachable around the proxy (and around
 * the host's firewall: Docker's iptables rules come first), by anyone who
 * can reach any address of the machine.
 *
 * The test bed's engines run with dockerd --ip (127.0.0.1, 127.0.0.2), so
 * hosts here use other loopback addresses: a port on dockerd's default
 * would not answer on them, and would answer on the default.
 */
import { request } from "node:http";
import { networkInterfaces } from "node:os";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ObservedContainer, Plan } from "../../src/model/index.js";
import { rawEngines } from "../integration/docker/docker-fixtures.js";
import {
  appYaml,
  createRolloutBed,
  type RolloutBed,
  hostsYaml as testbedHostsYaml,
} from "../integration/rollout/rollout-fixtures.js";

/** The machine's own addresses that are not loopback: where a port on 0.0.0.0 is reachable from outside. */
function outsideAddresses(): string[] {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  const found = all.filter((a) => a.family === "IPv4" && !a.internal).map((a) => a.address);
  if (found.length === 0) throw new Error("the machine has no non-loopback IPv4 address to test against");
  return found;
}

/** The body of GET http://ip:port/, or undefined when nothing answers there (refused, reset, silent). */
function pageAt(ip: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: ip, port, path: "/", agent: false, signal: AbortSignal.timeout(3000) }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve(body.trim()));
      res.on("error", () => resolve(undefined));
    });
    req.on("error", () => resolve(undefined));
    req.end();
  });
}

/** Which of `ips` serve our page on `port`: another container may hold the same port number on another IP. */
async function servingOn(ips: string[], port: number, page: string): Promise<string[]> {
  const answers = await Promise.all(ips.map(async (ip) => ((await pageAt(ip, port)) === page ? ip : undefined)));
  return answers.filter((ip): ip is string => ip !== undefined);
}

function engineOf(c: ObservedContainer): Docker {
  return rawEngines()[c.host as "alpha" | "beta"];
}

async function hostIps(c: ObservedContainer): Promise<string[]> {
  const info = await engineOf(c).getContainer(c.id).inspect();
  return (info.HostConfig.PortBindings?.["8080/tcp"] ?? []).map((b: { HostIp?: string }) => b.HostIp ?? "");
}

describe("published ports bind to the host's address", () => {
  let bed: RolloutBed;
  const page = `bound-${Date.now()}`;

  beforeAll(async () => {
    // alpha on a loopback address dockerd does not default to, beta on IPv6 (HostIp takes it without brackets).
    const hostsYaml = testbedHostsYaml()
      .replace("address: 127.0.0.1", "address: 127.0.0.3")
      .replace("address: 127.0.0.2", "address: '::1'");
    expect(hostsYaml).toContain("address: '::1'");
    bed = await createRolloutBed({ hostsYaml });
    bed.writeApp(
      "web",
      appYaml("web", bed.image, { replicas: "2", env: `{ PAGE: ${page} }`, health: "{ path: /healthz, stable: 0s }" }),
    );
  });

  afterAll(async () => {
    await bed?.close();
  });

  it("a deployed container answers on its host's address and on no other address of the machine", async () => {
    const outcome = await bed.sync();
    expect(outcome.status, JSON.stringify(outcome.error)).toBe("succeeded");
    const running = await bed.running("web");
    expect(running.map((c) => c.host).sort()).toEqual(["alpha", "beta"]);
    const everywhere = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "::1", ...outsideAddresses()];
    for (const [host, ip] of [
      ["alpha", "127.0.0.3"],
      ["beta", "::1"],
    ] as const) {
      const c = running.find((r) => r.host === host) as ObservedContainer;
      expect(c.publishedOn).toEqual([ip]);
      expect(await hostIps(c)).toEqual([ip]);
      // The two engines pick published ports from one range independently, so the other
      // replica (same page) may hold the same number on its own address: that one answers.
      const other = running.find((r) => r !== c && r.hostPort === c.hostPort);
      const probed = everywhere.filter((a) => !other?.publishedOn?.includes(a));
      expect(await servingOn(probed, c.hostPort as number, page)).toEqual([ip]);
    }
  });
});

describe("a container published on every interface before the upgrade", () => {
  let bed: RolloutBed;
  const page = `open-${Date.now()}`;

  beforeAll(async () => {
    bed = await createRolloutBed();
    bed.writeApp(
      "web",
      appYaml("web", bed.image, {
        env: `{ PAGE: ${page} }`,
        health: "{ path: /healthz, stable: 0s }",
        placement: "{ hosts: [alpha] }",
      }),
    );
  });

  afterAll(async () => {
    await bed?.close();
  });

  /**
   * What an engine without --ip made of dockhand's old binding (HostIp ""):
   * the same container, published on 0.0.0.0 (and ::).
   */
  async function republishOnEveryInterface(c: ObservedContainer): Promise<void> {
    const engine = engineOf(c);
    const info = await engine.getContainer(c.id).inspect();
    await engine.getContainer(c.id).remove({ force: true });
    const copy = await engine.createContainer({
      name: c.name,
      Image: info.Config.Image,
      Env: info.Config.Env,
      Labels: info.Config.Labels,
      ExposedPorts: info.Config.ExposedPorts,
      HostConfig: { PortBindings: { "8080/tcp": [{ HostIp: "0.0.0.0", HostPort: "" }] } },
    });
    await copy.start();
  }

  it("is replaced by the next sync, which says why, and then answers on the host's address only", async () => {
    expect((await bed.sync()).status).toBe("succeeded");
    const [made] = await bed.running("web");
    await republishOnEveryInterface(made as ObservedContainer);
    const [open] = await bed.running("web");
    const outside = outsideAddresses();
    // The hole is real: the page is served on the machine's other addresses.
    expect(await servingOn(outside, open?.hostPort as number, page)).toEqual(outside);

    let planned: Plan | undefined;
    const approve = async (plan: Plan) => {
      planned = plan;
      return true;
    };
    const outcome = await bed.sync({}, { approve });
    expect(outcome.status, JSON.stringify(outcome.error)).toBe("succeeded");
    const slot = planned?.changes.find((c) => c.app === "web")?.slots[0];
    expect(slot?.action).toBe("replace");
    expect(slot?.reasons).toEqual([`published on ${open?.publishedOn?.join(", ")}, should be 127.0.0.1`]);
    expect(open?.publishedOn).toContain("0.0.0.0");

    const [closed] = await bed.running("web");
    expect(closed?.publishedOn).toEqual(["127.0.0.1"]);
    expect(await servingOn(["127.0.0.1", ...outside], closed?.hostPort as number, page)).toEqual(["127.0.0.1"]);
  });
});
