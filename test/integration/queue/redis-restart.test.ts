/**
 * Redis restarted under the queue (issue 6; BullMQ has had bugs here): a
 * redis-server of this test's own, append-only like the private one `serve`
 * starts, is killed and started again. Jobs queued before the restart still
 * run, and a worker that was connected reconnects and keeps working, even
 * when Redis goes away in the middle of a rollout.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDeployRepo } from "../../support/deploy-repo.js";
import { waitFor } from "../../support/wait-for.js";
import {
  containersOf,
  type Harness,
  newInstance,
  pushGreeting,
  smallRepo,
  startHarness,
  testbedDocker,
} from "./queue-fixtures.js";

const docker = testbedDocker();
const instance = newInstance("rr");
const dir = mkdtempSync(join(tmpdir(), "dockhand-redis-aof-"));
const socket = join(dir, "redis.sock");
const url = `redis+unix://${socket}`;
let server: ChildProcess | undefined;
let repo: TestDeployRepo;
const harnesses: Harness[] = [];

/** Append-only with a sync on every write, as a queue that must survive a crash needs. */
async function redisUp(): Promise<void> {
  const child = spawn(
    "redis-server",
    [
      "--port",
      "0",
      "--unixsocket",
      socket,
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--save",
      "",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += String(chunk);
      if (/ready to accept connections/i.test(out)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
  });
  server = child;
}

async function redisDown(): Promise<void> {
  const child = server;
  server = undefined;
  if (!child || child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

async function webCommits(): Promise<string[]> {
  const web = (await containersOf(docker, instance)).filter(
    (c) => c.app === "web" && c.state === "running" && c.retiredAt === undefined,
  );
  return web.map((c) => c.commit);
}

beforeAll(async () => {
  await redisUp();
  repo = smallRepo({ replicas: 2, drain: "1500ms" });
});

afterAll(async () => {
  for (const h of harnesses) await h.close();
  await redisDown();
  for (const c of await containersOf(docker, instance)) await docker.remove(c.host, c.id).catch(() => undefined);
  await docker.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the queue across a Redis restart", () => {
  it("runs a job queued before Redis was killed, once a worker starts after it is back", async () => {
    const producer = await startHarness(repo.remote, { instance, redisUrl: url, noWorker: true });
    harnesses.push(producer);
    const head = (await producer.repo.head?.()) ?? "";
    await producer.queue.enqueue({ trigger: "push", env: "production", sha: head }, "push-before-crash");
    await redisDown();
    await redisUp();
    const worker = await startHarness(repo.remote, { instance, redisUrl: url, lockTtlMs: 5_000 });
    harnesses.push(worker);
    await waitFor("the queued sync to deploy", async () => (await webCommits()).join() === [head, head].join(), {
      timeoutMs: 60_000,
    });
    // The delivery id survived too: a redelivery is still recognised.
    expect((await producer.queue.enqueue({ trigger: "push", env: "production" }, "push-before-crash")).status).toBe(
      "duplicate",
    );
  });

  it("reconnects a worker whose Redis went away mid-rollout; the running and the pending sync both finish", async () => {
    const worker = harnesses[1];
    if (!worker) throw new Error("no worker from the first test");
    const first = pushGreeting(repo, "during-restart");
    const second = pushGreeting(repo, "after-restart");
    await worker.queue.enqueue({ trigger: "push", env: "production", sha: first });
    await waitFor("the rollout to reach a drain", () =>
      worker.logged("rollout step").some((l) => String(l.step).startsWith("drain") && l.phase === "start"),
    );
    await worker.queue.enqueue({ trigger: "push", env: "production", sha: second });
    await redisDown();
    await sleep(1_000);
    await redisUp();
    await waitFor(
      "the newest commit to run everywhere",
      async () => (await webCommits()).join() === [second, second].join(),
      {
        timeoutMs: 60_000,
      },
    );
    const started = worker.logged("sync started").map((l) => l.sha);
    expect(started.slice(-2)).toEqual([first, second]);
    // And it keeps taking work.
    const third = pushGreeting(repo, "later");
    await worker.queue.enqueue({ trigger: "push", env: "production", sha: third });
    await waitFor("a sync after the restart", async () => (await webCommits()).join() === [third, third].join(), {
      timeoutMs: 60_000,
    });
  });
});
