/**
 * rollout.strategy recreate on a real engine: an app on a fixed host port with
 * its data on a per-slot volume. The old container stops before the new one
 * starts; when the new one fails its health gate, it is removed and the old
 * one starts again on the same volume. The engine's events show never two
 * containers of the slot running at once.
 */
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { watchRunning } from "../../support/engine-events.js";
import { freePort } from "../../support/free-port.js";
import { rawEngines } from "../docker/docker-fixtures.js";
import { appYaml, createRolloutBed, type RolloutBed } from "./rollout-fixtures.js";

let bed: RolloutBed;
let hostPort: number;

/** Each start appends its PAGE to /data/pages, on the slot's volume, and serves the list. */
function store(page: string, mode = "serve"): string {
  return appYaml("store", bed.image, {
    hostPort: String(hostPort),
    placement: "{ hosts: [alpha] }",
    volumes: "[{ name: data, target: /data }]",
    env: `{ PAGE: ${page}, MODE: ${mode} }`,
    health: "{ path: /healthz, within: 10s, stable: 300ms }",
    command: `sh -c 'mkdir -p /www && echo "$PAGE" >> /data/pages && ln -sf /data/pages /www/pages && exec /entrypoint.sh'`,
  });
}

async function pages(): Promise<string> {
  const res = await request(`http://127.0.0.1:${hostPort}/pages`, { headersTimeout: 2_000 });
  return (await res.body.text()).trim().split("\n").join(" ");
}

beforeAll(async () => {
  bed = await createRolloutBed();
  hostPort = await freePort("127.0.0.1");
  bed.writeApp("store", store("v1"));
  const first = await bed.sync();
  expect(first.status).toBe("succeeded");
});

afterAll(async () => {
  await bed?.close();
});

describe("recreate on a real engine", () => {
  it("serves on its fixed host port", async () => {
    const [c] = await bed.running("store");
    expect(c).toMatchObject({ host: "alpha", hostPort, publishedOn: ["127.0.0.1"] });
    expect(await pages()).toBe("v1");
  });

  it("rolls to a new version on the same volume, never running two", async () => {
    const [old] = await bed.running("store");
    const watch = await watchRunning(rawEngines().alpha, { instance: bed.instance, app: "store" }, [old?.id ?? ""]);
    bed.writeApp("store", store("v2"));
    const outcome = await bed.sync();
    const seen = watch.stop();
    expect(outcome.status).toBe("succeeded");
    expect(seen.maxRunning).toBe(1);
    expect(seen.log.map((e) => e.split(" ")[0])).toEqual(["die", "start"]);
    expect(await pages()).toBe("v1 v2");
  });

  it("health fails on the new container → it goes, and the old one starts again on its volume", async () => {
    const [old] = await bed.running("store");
    const watch = await watchRunning(rawEngines().alpha, { instance: bed.instance, app: "store" }, [old?.id ?? ""]);
    bed.writeApp("store", store("v3", "exit"));
    const outcome = await bed.sync();
    const seen = watch.stop();
    // v3 exits at once: seen exited by the start step's own check, or (sooner engine) by the health gate.
    expect(outcome.apps[0]).toMatchObject({
      status: "rolledBack",
      failedStep: expect.stringMatching(/^(start|waitHealthy)$/),
    });
    expect(seen.maxRunning).toBe(1);
    const running = await bed.running("store");
    expect(running.map((c) => c.id)).toEqual([old?.id]);
    // v3 started on the volume (and the engine restarted it as it crashed); then v2 again, on the same volume.
    expect(await pages()).toMatch(/^v1 v2( v3)+ v2$/);
  });
});
