/**
 * The polling fallback against the real things (issue 6): with no webhook at
 * all, a push to the tracked branch is deployed by the poller, and drift (a
 * container removed by hand) is healed by the periodic reconcile. The
 * schedule is shared: several processes set it, one timer runs.
 */
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BranchPoller, POLL_QUEUE } from "../../../src/worker/queue/poll-branch.js";
import type { TestDeployRepo } from "../../support/deploy-repo.js";
import { waitFor } from "../../support/wait-for.js";
import {
  cleanUp,
  containersOf,
  type Harness,
  pushGreeting,
  smallRepo,
  startHarness,
  testbedDocker,
} from "./queue-fixtures.js";

const docker = testbedDocker();
let repo: TestDeployRepo;
let h: Harness;
const pollers: BranchPoller[] = [];

function poller(): BranchPoller {
  const p = new BranchPoller({
    connection: h.redis,
    prefix: h.prefix,
    repo: h.repo,
    applied: h.worker.appliedState,
    enqueue: (job) => h.queue.enqueue(job),
    log: h.log,
  });
  pollers.push(p);
  return p;
}

async function runningWeb() {
  return (await containersOf(docker, h.instance)).filter(
    (c) => c.app === "web" && c.state === "running" && c.retiredAt === undefined,
  );
}

beforeAll(async () => {
  repo = smallRepo({ replicas: 2 });
  h = await startHarness(repo.remote, { lockTtlMs: 2_000 });
});

afterAll(async () => {
  for (const p of pollers) await p.close();
  await h?.close();
  await cleanUp(h.instance, docker);
  await docker.close();
});

describe("polling the tracked branch", () => {
  it("deploys what is on the branch with no webhook, then each new push", async () => {
    await poller().start(1_000);
    const seeded = await h.repo.head?.();
    await waitFor(
      "the first poll to deploy the seeded commit",
      async () => {
        const web = await runningWeb();
        return web.length === 2 && web.every((c) => c.commit === seeded);
      },
      { timeoutMs: 60_000 },
    );
    const sha = pushGreeting(repo, "polled");
    await waitFor(
      "the poller to deploy the pushed commit",
      async () => {
        const web = await runningWeb();
        return web.length === 2 && web.every((c) => c.commit === sha);
      },
      { timeoutMs: 60_000 },
    );
    expect(h.logged("poll: sync queued").some((l) => l.head === sha && l.kind === "changed")).toBe(true);
  });

  it("heals drift at the same commit: a container removed by hand comes back", async () => {
    const [victim] = await runningWeb();
    if (!victim) throw new Error("no web container to remove");
    await docker.remove(victim.host, victim.id);
    await waitFor(
      "the reconcile to bring web back to 2 replicas",
      async () => {
        const web = await runningWeb();
        return web.length === 2 && !web.some((c) => c.id === victim.id);
      },
      { timeoutMs: 60_000 },
    );
    expect(h.logged("poll: sync queued").some((l) => l.kind === "reconcile")).toBe(true);
  });

  it("keeps one schedule however many processes set it, and 0 turns polling off", async () => {
    await poller().start(1_000, false);
    await poller().start(1_000, false);
    const queue = new Queue(POLL_QUEUE, { connection: h.redis, prefix: h.prefix });
    expect((await queue.getJobSchedulers()).map((s) => s.key)).toEqual(["poll-production"]);
    await poller().start(0, false);
    expect(await queue.getJobSchedulers()).toEqual([]);
    await queue.close();
  });
});
