/**
 * Containers of a stack on the real engines: a worker (no port) publishes
 * nothing and is healthy while it runs; an app on a fixed host port
 * publishes exactly there, and a second one on that port fails with a clear error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerHosts } from "../../../src/docker/index.js";
import { RolloutError } from "../../../src/model/index.js";
import { freePort } from "../../support/free-port.js";
import { testbedHosts } from "../../support/testbed.js";
import { APP_PORT, appSpec, cleanupRun, failureOf, newRunId, prepareAppImage, rawEngines } from "./docker-fixtures.js";

const runId = newRunId();
const hostSpecs = testbedHosts();
const hosts = new DockerHosts(hostSpecs);
let image = "";

beforeAll(async () => {
  image = await prepareAppImage(hosts, runId);
});

afterAll(async () => {
  await hosts.close();
  await cleanupRun(runId);
});

const worker = (environment: Record<string, string> = {}) => {
  const { port: _port, ...spec } = appSpec(runId, image, { app: "job", environment });
  return spec;
};

describe("a container without a port (a worker)", () => {
  it("publishes nothing, and passes its health gate by running for health.stable", async () => {
    const started = await hosts.run("beta", worker());
    expect(started.hostPort).toBeUndefined();
    const info = await rawEngines().beta.getContainer(started.id).inspect();
    expect(info.HostConfig.PortBindings ?? {}).toEqual({});
    await hosts.waitHealthy("beta", started.id, undefined, { timeoutMs: 1_000, withinMs: 10_000, stableMs: 600 });
    const observed = (await hosts.observe(runId)).hosts.flatMap((h) => h.containers).find((c) => c.id === started.id);
    expect(observed).toMatchObject({ state: "running", hostPort: undefined });
  });

  it("fails its health gate when it exits within health.stable", async () => {
    const started = await hosts.run("alpha", worker({ MODE: "crash", DELAY: "0.3" }));
    const health = { timeoutMs: 1_000, withinMs: 10_000, stableMs: 3_000 };
    const err = await hosts.waitHealthy("alpha", started.id, undefined, health).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RolloutError);
    expect((err as RolloutError).message).toMatch(
      /did not become healthy: it (exited with code 4|restarted \(exit code 4\)|restarted \(it exited and the engine started it again\)|is restarting after exiting with code 4) within 3000 ms of starting \(health\.stable\)$/,
    );
    expect((err as RolloutError).logsTail).toContain("crashed");
  });
});

describe("a container on a fixed host port", () => {
  it("publishes its port there, on the host's bind address only", async () => {
    const beta = hostSpecs.find((h) => h.name === "beta");
    const hostPort = await freePort(beta?.bind);
    const started = await hosts.run("beta", { ...appSpec(runId, image), hostPort });
    expect(started.hostPort).toBe(hostPort);
    const info = await rawEngines().beta.getContainer(started.id).inspect();
    expect(info.HostConfig.PortBindings).toEqual({
      [`${APP_PORT}/tcp`]: [{ HostIp: beta?.bind, HostPort: String(hostPort) }],
    });
    await hosts.waitHealthy("beta", started.id, APP_PORT, { path: "/healthz", timeoutMs: 1_000, withinMs: 10_000 });
  });

  it("fails to start a second container on that port, saying which address and what to do", async () => {
    const alpha = hostSpecs.find((h) => h.name === "alpha");
    const hostPort = await freePort(alpha?.bind);
    await hosts.run("alpha", { ...appSpec(runId, image), hostPort });
    const second = { ...appSpec(runId, image), hostPort };
    const err = await failureOf(hosts.run("alpha", second));
    expect(err.message).toBe(
      `host alpha: cannot start ${second.name}: ${alpha?.bind}:${hostPort} is already in use (its app's hostPort); stop what listens there or choose another hostPort`,
    );
    // Nothing is left behind to block the name.
    const left = await rawEngines().alpha.listContainers({ all: true, filters: { name: [second.name] } });
    expect(left).toEqual([]);
  });
});
