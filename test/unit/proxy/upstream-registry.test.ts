import { describe, expect, it } from "vitest";
import type { Upstream } from "../../../src/model/index.js";
import { UpstreamRegistry } from "../../../src/proxy/upstream-registry.js";

const pools = { connections: 1, connectTimeoutMs: 1, keepAliveMs: 1, headersTimeoutMs: 1, bodyTimeoutMs: 1 };

function upstream(host: string, address: string, container = "web-production-0-1a2b3c4d"): Upstream {
  return { host, address, port: 32768, container, state: "active" };
}

describe("UpstreamRegistry in-flight counts", () => {
  // A slot moved to another host keeps its container name: both may be in the table at once.
  const onAlpha = upstream("alpha", "10.0.0.11");
  const onBeta = upstream("beta", "10.0.0.12");

  it("counts per host and container, and per container name across hosts", () => {
    const registry = new UpstreamRegistry(pools, { afterFailures: 0, forMs: 0 });
    registry.begin(onAlpha);
    registry.begin(onAlpha);
    registry.begin(onBeta);
    expect([registry.inFlight(onAlpha), registry.inFlight(onBeta)]).toEqual([2, 1]);
    expect(registry.inFlightOf(onAlpha.container, "alpha")).toBe(2);
    expect(registry.inFlightOf(onAlpha.container, "beta")).toBe(1);
    expect(registry.inFlightOf(onAlpha.container)).toBe(3);
    registry.end(onAlpha);
    registry.end(onAlpha);
    expect(registry.inFlight(onAlpha)).toBe(0);
    expect(registry.inFlightOf(onAlpha.container)).toBe(1);
    registry.end(onBeta);
    expect(registry.inFlightOf(onAlpha.container)).toBe(0);
    expect(registry.inFlightOf("other")).toBe(0);
  });
});
