/**
 * The SRV server Caddy's dynamic upstreams read (srv-dns-server.ts), asked by
 * a real DNS client (Node's c-ares resolver) over UDP.
 */
import { Resolver } from "node:dns/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SRV_ANSWER_LIMIT, SrvDnsServer, srvAnswerBytes } from "../../../src/proxy/srv-dns-server.js";

const server = new SrvDnsServer();
const resolver = new Resolver({ timeout: 2_000, tries: 1 });

beforeAll(async () => {
  const { host, port } = await server.start("127.0.0.1");
  resolver.setServers([`${host}:${port}`]);
});
afterAll(() => server.stop());

describe("SrvDnsServer", () => {
  it("answers an app's SRV records (20 upstreams, within what Go's resolver reads)", async () => {
    const targets = Array.from({ length: 20 }, (_, i) => ({ address: i % 2 ? "10.0.0.12" : "::1", port: 32768 + i }));
    server.setRecords(new Map([["web-1a2b3c4d.routes.dockhand.", targets]]));
    expect(srvAnswerBytes("web-1a2b3c4d.routes.dockhand.", targets)).toBeLessThanOrEqual(SRV_ANSWER_LIMIT);
    const answers = await resolver.resolveSrv("web-1a2b3c4d.routes.dockhand");
    expect(answers.map((a) => `${a.name}:${a.port}`).sort()).toEqual(
      targets.map((t) => `${t.address === "::1" ? "0-0-0-0-0-0-0-1.ip6" : "10-0-0-12.ip4"}.dockhand:${t.port}`).sort(),
    );
  });

  it("answers no records for an app without upstreams, and NXDOMAIN for a name it does not know", async () => {
    server.setRecords(new Map([["idle-1a2b3c4d.routes.dockhand.", []]]));
    await expect(resolver.resolveSrv("idle-1a2b3c4d.routes.dockhand")).rejects.toMatchObject({ code: "ENODATA" });
    await expect(resolver.resolveSrv("gone-1a2b3c4d.routes.dockhand")).rejects.toMatchObject({ code: "ENOTFOUND" });
  });

  it("resolves its own target names to the addresses they encode", async () => {
    expect(await resolver.resolve4("10-0-0-12.ip4.dockhand")).toEqual(["10.0.0.12"]);
    expect(await resolver.resolve6("0-0-0-0-0-0-0-1.ip6.dockhand")).toEqual(["::1"]);
    await expect(resolver.resolve6("10-0-0-12.ip4.dockhand")).rejects.toMatchObject({ code: "ENODATA" });
  });
});
