import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts, DockerHosts } from "../../../src/docker/index.js";
import type { ObservedHost, StartedContainer } from "../../../src/model/index.js";
import { LABELS } from "../../../src/model/index.js";
import { testbedHosts } from "../../support/testbed.js";
import {
  APP_PORT,
  appSpec,
  cleanupRun,
  lineCollector,
  newRunId,
  prepareAppImage,
  RUN_LABEL,
  rawEngines,
} from "./docker-fixtures.js";

const runId = newRunId();
const otherInstance = `${runId}-other`;
const adapterLog = lineCollector();
const hosts = new DockerHosts(testbedHosts(), { log: adapterLog.sink });
let image = "";
const ours: Record<string, StartedContainer> = {};
let theirs: StartedContainer;
let unlabelledId = "";
let malformedId = "";

function hostOf(observed: { hosts: ObservedHost[] }, name: string): ObservedHost {
  const host = observed.hosts.find((h) => h.name === name);
  if (!host) throw new Error(`observe did not report host ${name}`);
  return host;
}

beforeAll(async () => {
  image = await prepareAppImage(hosts, runId);
  ours.alpha = await hosts.run("alpha", appSpec(runId, image, { slot: 0 }));
  ours.beta = await hosts.run("beta", appSpec(runId, image, { slot: 1 }));
  theirs = await hosts.run("alpha", appSpec(runId, image, { instance: otherInstance }));
  const raw = rawEngines().alpha;
  // Same image, but without dockhand's labels: dockhand must never see it.
  const unlabelled = await raw.createContainer({
    name: `${runId}-unlabelled`,
    Image: image,
    Labels: { [RUN_LABEL]: runId },
  });
  unlabelledId = unlabelled.id;
  const malformedSpec = appSpec(runId, image, { slot: 2 });
  const malformed = await raw.createContainer({
    name: `${runId}-malformed`,
    Image: image,
    Labels: { ...malformedSpec.labels, [LABELS.slot]: "two" },
  });
  malformedId = malformed.id;
});

afterAll(async () => {
  await hosts.close();
  await cleanupRun(runId);
});

describe("DockerHosts.observe", () => {
  it("reports this instance's containers on both engines, with their labels, state and port", async () => {
    const observed = await hosts.observe(runId);
    expect(observed.hosts.map((h) => h.name)).toEqual(["alpha", "beta"]);
    for (const [name, slot] of [
      ["alpha", 0],
      ["beta", 1],
    ] as const) {
      const host = hostOf(observed, name);
      const started = ours[name]!;
      expect(host.reachable).toBe(true);
      expect(host.containers).toHaveLength(1);
      const [container] = host.containers;
      expect(container).toMatchObject({
        id: started.id,
        name: started.name,
        host: name,
        app: "web",
        env: "production",
        slot,
        commit: "c0ffee",
        image,
        state: "running",
        health: "none",
        hostPort: started.hostPort,
        publishedOn: [name === "alpha" ? "127.0.0.1" : "127.0.0.2"],
      });
      expect(container?.specHash).toMatch(/^spec[0-9a-f]{6}$/);
      expect(Math.abs((container?.createdAt ?? 0) - Date.now())).toBeLessThan(10 * 60_000);
    }
  });

  it("never reports a container without dockhand's labels", async () => {
    const observed = await hosts.observe(runId);
    const ids = observed.hosts.flatMap((h) => h.containers.map((c) => c.id));
    expect(ids).not.toContain(unlabelledId);
  });

  it("keeps instances apart: another instance's containers are not reported, and it sees only its own", async () => {
    const mine = await hosts.observe(runId);
    expect(mine.hosts.flatMap((h) => h.containers.map((c) => c.id))).not.toContain(theirs.id);
    const other = await hosts.observe(otherInstance);
    expect(hostOf(other, "alpha").containers.map((c) => c.id)).toEqual([theirs.id]);
    expect(hostOf(other, "beta").containers).toEqual([]);
  });

  it("skips a managed container with a malformed slot label, says why, and reports the rest", async () => {
    adapterLog.lines.length = 0;
    const observed = await hosts.observe(runId);
    expect(hostOf(observed, "alpha").containers.map((c) => c.id)).toEqual([ours.alpha!.id]);
    expect(adapterLog.lines).toEqual([
      `host alpha: ignoring container ${malformedId.slice(0, 12)}: label dockhand.slot is "two", expected a replica index like 0`,
    ]);
  });

  it("reports a stopped container as exited without a host port", async () => {
    const spec = appSpec(runId, image, { slot: 3 });
    const started = await hosts.run("beta", spec);
    await hosts.stop("beta", started.id, 1);
    const observed = await hosts.observe(runId);
    const container = hostOf(observed, "beta").containers.find((c) => c.id === started.id);
    expect(container).toMatchObject({ state: "exited", slot: 3 });
    expect(container?.hostPort).toBeUndefined();
    expect(container?.publishedOn).toBeUndefined();
    await hosts.remove("beta", started.id);
  });

  it("tells the engines apart by more than docker info's ID", async () => {
    const observed = await hosts.observe(runId);
    const alpha = hostOf(observed, "alpha").engine;
    const beta = hostOf(observed, "beta").engine;
    // The test bed's daemons share /etc/docker/key.json, whose key is the ID before Docker 23: the data root differs.
    expect(alpha).toMatch(/^\S+ \(\S+, \/\S+\)$/);
    expect(alpha).not.toBe(beta);
  });

  it("lists the image tags on each host, without <none>", async () => {
    const observed = await hosts.observe(runId);
    for (const name of ["alpha", "beta"]) {
      const { images } = hostOf(observed, name);
      expect(images).toContain(image);
      expect(images).toContain("busybox:stable");
      expect(images.filter((tag) => tag.includes("<none>"))).toEqual([]);
    }
  });

  it("publishes the app's port so it answers on the host's address", async () => {
    const alpha = testbedHosts()[0]!;
    const res = await fetch(`http://${alpha.address}:${ours.alpha!.hostPort}/index.html`, {
      signal: AbortSignal.timeout(5_000),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("hello from dockhand tests");
    expect(await hosts.hostPort("alpha", ours.alpha!.id, APP_PORT)).toBe(ours.alpha!.hostPort);
  });
});

describe("createDockerHosts", () => {
  it("refuses a host list that names a host twice", () => {
    const [alpha] = testbedHosts();
    expect(() => createDockerHosts([alpha!, alpha!])).toThrow("host alpha is listed twice");
  });

  it("rejects an unknown host name with the known ones", async () => {
    await expect(hosts.hasImage("gamma", image)).rejects.toMatchObject({
      code: "DOCKHAND_E_USAGE",
      message: 'unknown host "gamma"; the known hosts are: alpha, beta',
    });
  });
});
