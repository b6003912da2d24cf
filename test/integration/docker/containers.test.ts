import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerHosts } from "../../../src/docker/index.js";
import { testbedHosts } from "../../support/testbed.js";
import { waitFor } from "../../support/wait-for.js";
import { APP_PORT, appSpec, cleanupRun, newRunId, prepareAppImage, rawEngines } from "./docker-fixtures.js";

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

describe.each(hostSpecs.map((h) => [h.name, h.address] as const))("containers on %s", (host, address) => {
  it("runs a container with its env and labels, published on a free port of the host's address", async () => {
    const spec = appSpec(runId, image, { environment: { GREETING: "hello world", EMPTY: "" } });
    const started = await hosts.run(host, spec);
    expect(started).toMatchObject({ name: spec.name, host });
    expect(started.hostPort).toBeGreaterThan(0);
    const info = await rawEngines()[host as "alpha" | "beta"].getContainer(started.id).inspect();
    expect(info.Config.Env).toEqual(expect.arrayContaining(["GREETING=hello world", "EMPTY="]));
    expect(info.Config.Labels).toMatchObject(spec.labels);
    expect(info.HostConfig.RestartPolicy?.Name).toBe("unless-stopped");
    expect(info.NetworkSettings.Ports[`${APP_PORT}/tcp`]?.[0]?.HostIp).toBe(address);
    const body = await waitFor("the app to answer", async () => {
      // A timeout per try: Node 20's fetch can hang on a connection the engine's port proxy resets at start.
      const url = `http://${address}:${started.hostPort}/healthz`;
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
      return res?.ok ? res.text() : undefined;
    });
    expect(body).toBe("ok\n");
  });

  it("refuses to run a second container under an existing name", async () => {
    const spec = appSpec(runId, image);
    await hosts.run(host, spec);
    await expect(hosts.run(host, spec)).rejects.toMatchObject({
      code: "DOCKHAND_E_DOCKER",
      message: `host ${host} already has a container named ${spec.name}: remove it before running a new one`,
    });
  });

  it("says to build, ship or pull when the image is not on the host", async () => {
    const spec = appSpec(runId, `dockhand-test/nowhere:${runId}`);
    await expect(hosts.run(host, spec)).rejects.toMatchObject({
      code: "DOCKHAND_E_DOCKER",
      message: `host ${host} has no image dockhand-test/nowhere:${runId} for container ${spec.name}: build, ship or pull it first`,
    });
    const leftovers = await rawEngines()[host as "alpha" | "beta"].listContainers({
      all: true,
      filters: { name: [spec.name] },
    });
    expect(leftovers).toEqual([]);
  });

  it("stops, starts and removes, each idempotently", async () => {
    const started = await hosts.run(host, appSpec(runId, image));
    await hosts.stop(host, started.id, 1);
    await hosts.stop(host, started.id, 1);
    expect(await hosts.hostPort(host, started.id, APP_PORT)).toBeUndefined();
    await hosts.start(host, started.id);
    await hosts.start(host, started.id);
    expect(await hosts.hostPort(host, started.id, APP_PORT)).toBeGreaterThan(0);
    await hosts.remove(host, started.id);
    await hosts.remove(host, started.id);
    await expect(hosts.hostPort(host, started.id, APP_PORT)).rejects.toMatchObject({
      code: "DOCKHAND_E_DOCKER",
      message: `host ${host} has no container ${started.id}`,
    });
    await expect(hosts.stop(host, started.id)).rejects.toMatchObject({ code: "DOCKHAND_E_DOCKER" });
  });

  it("reads the last log lines, stdout and stderr interleaved, without stream headers", async () => {
    const started = await hosts.run(host, appSpec(runId, image, { environment: { MODE: "serve" } }));
    const all = await waitFor("both log lines", async () => {
      const text = await hosts.logsTail(host, started.id, 50);
      return text.includes(`listening on ${APP_PORT}`) ? text : undefined;
    });
    expect(all).toBe(`starting in mode serve\nlistening on ${APP_PORT}\n`);
    expect(await hosts.logsTail(host, started.id, 1)).toBe(`listening on ${APP_PORT}\n`);
  });
});

describe("retiring and one-off containers", () => {
  it("renames a container (how a kept version is marked), and says so when it is gone", async () => {
    const spec = appSpec(runId, image);
    const started = await hosts.run("beta", spec);
    await hosts.rename("beta", started.id, `${spec.name}.retired-1700000000000`);
    const info = await rawEngines().beta.getContainer(started.id).inspect();
    expect(info.Name).toBe(`/${spec.name}.retired-1700000000000`);
    const observed = await hosts.observe(runId);
    const seen = observed.hosts.find((h) => h.name === "beta")?.containers.find((c) => c.id === started.id);
    expect(seen?.retiredAt).toBe(1_700_000_000_000);
    await hosts.remove("beta", started.id);
    await expect(hosts.rename("beta", started.id, "x")).rejects.toMatchObject({
      message: `host beta has no container ${started.id}`,
    });
  });

  it("runs a one-off container to its end with env, returns its exit code and output, and removes it", async () => {
    const spec = {
      name: `${runId}-hook-${Date.now()}`,
      image,
      command: ["sh", "-c", 'echo "hello $WHO"; sleep 0.1; echo "to stderr" >&2; exit 5'],
      environment: { WHO: "hook" },
      labels: { "dockhand-test.run": runId },
    };
    const result = await hosts.runOnce("alpha", spec, 20_000);
    expect(result).toEqual({ exitCode: 5, output: "hello hook\nto stderr\n" });
    const left = await rawEngines().alpha.listContainers({ all: true, filters: { name: [spec.name] } });
    expect(left).toEqual([]);
  });

  it("kills a one-off container that runs past its timeout, and says so with its output", async () => {
    const spec = {
      name: `${runId}-hook-slow-${Date.now()}`,
      image,
      command: ["sh", "-c", "echo started; sleep 30"],
      environment: {},
      labels: { "dockhand-test.run": runId },
    };
    await expect(hosts.runOnce("beta", spec, 1_000)).rejects.toMatchObject({
      code: "DOCKHAND_E_DOCKER",
      message: `${spec.name} on host beta did not finish within 1000 ms and was killed; last output:\nstarted\n`,
    });
    const left = await rawEngines().beta.listContainers({ all: true, filters: { name: [spec.name] } });
    expect(left).toEqual([]);
  });
});
