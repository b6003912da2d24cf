/**
 * deploy-repo-example as shipped, the demo's whole stack: web and api behind
 * the proxy, kv (a stateful service on a fixed port of beta, its count on a
 * per-slot volume) and a worker with no port that counts on kv through
 * `${apps.kv.host}:${apps.kv.port}`. Applied with `dockhand apply`, shown by
 * `dockhand status`, and planned again to nothing.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts } from "../../../src/docker/index.js";
import { copyExample } from "../../support/deploy-repo.js";
import { runCli } from "../../support/dockhand-process.js";
import { freePort } from "../../support/free-port.js";
import { testbedHosts } from "../../support/testbed.js";
import { waitFor } from "../../support/wait-for.js";
import { removeInstance } from "../rollout/rollout-fixtures.js";

const instance = `ex${randomUUID().slice(0, 6)}`;
const root = mkdtempSync(join(tmpdir(), "dockhand-example-stack-"));
const repo = join(root, "repo");
const env = { DOCKHAND_INSTANCE: instance, DOCKHAND_STATE_DIR: join(root, "state"), REDIS_URL: "" };
const docker = createDockerHosts(testbedHosts());
const BETA = "172.31.0.1";
let kvPort = 0;

async function count(): Promise<number> {
  try {
    const res = await request(`http://${BETA}:${kvPort}/cgi-bin/count`, { headersTimeout: 2_000 });
    return Number((await res.body.text()).trim());
  } catch {
    return -1;
  }
}

beforeAll(async () => {
  copyExample(repo, { stack: true });
  // Its own port and proxy port, so a running demo cannot collide with this test.
  kvPort = await freePort(BETA);
  const kv = join(repo, "apps/kv.yaml");
  writeFileSync(kv, readFileSync(kv, "utf8").replace("hostPort: 7070", `hostPort: ${kvPort}`));
  const file = join(repo, "dockhand.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace("127.0.0.1:8080", `127.0.0.1:${await freePort()}`));
  const applied = await runCli(["apply", "--repo", repo, "--yes"], env);
  expect(applied.stderr).toBe("");
  expect(applied.code).toBe(0);
}, 240_000);

afterAll(async () => {
  await removeInstance(instance);
  await docker.close();
  rmSync(root, { recursive: true, force: true });
});

describe("deploy-repo-example's whole stack", () => {
  it("runs kv on beta's fixed port and a worker that counts on it", async () => {
    const all = (await docker.observe(instance)).hosts.flatMap((h) => h.containers);
    const kv = all.filter((c) => c.app === "kv" && c.state === "running");
    expect(kv.map((c) => [c.host, c.hostPort, c.publishedOn])).toEqual([["beta", kvPort, [BETA]]]);
    const worker = all.filter((c) => c.app === "worker" && c.state === "running");
    expect(worker.map((c) => c.hostPort)).toEqual([undefined]);
    const first = await waitFor("the worker's first count", async () => ((await count()) > 0 ? count() : false));
    await waitFor("the count to grow", async () => (await count()) > first, { timeoutMs: 10_000 });
  });

  it("shows kv's endpoint and the worker as a worker in dockhand status", async () => {
    const status = await runCli(["status", "--repo", repo], env);
    expect(status.code).toBe(0);
    const lines = status.stdout.split("\n");
    expect(lines[lines.findIndex((l) => /^ {2}kv /.test(l)) + 1]).toBe(`    listens on ${BETA}:${kvPort} (hostPort)`);
    expect(lines[lines.findIndex((l) => /^ {2}worker /.test(l)) + 1]).toBe("    worker: no port, not routed");
  });

  it("plans nothing on a second look", async () => {
    const plan = await runCli(["plan", "--repo", repo, "--detailed-exitcode"], env);
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(0);
  });
});
