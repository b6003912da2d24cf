/**
 * Two `dockhand worker` processes on one Redis (issue 6): many syncs at once,
 * some through the deduplicating queue and some added straight to BullMQ as a
 * stalled job taken over, or an older dockhand, would add them, so both
 * workers really do sync the same environment at the same time. The per-app
 * lock must still let only one of them roll web at any moment: the lock
 * holders' intervals (from both processes' logs) never overlap, and web never
 * runs more containers than replicas + batch.
 */
import { execFileSync } from "node:child_process";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUEUE_NAMES } from "../../src/model/index.js";
import { SyncQueue } from "../../src/worker/queue/sync-queue.js";
import {
  cleanUp,
  containersOf,
  newInstance,
  pushGreeting,
  queuePrefix,
  smallRepo,
  testbedDocker,
} from "../integration/queue/queue-fixtures.js";
import type { TestDeployRepo } from "../support/deploy-repo.js";
import { type DockhandProcess, startDockhand } from "../support/dockhand-process.js";
import { testbed } from "../support/testbed.js";
import { waitFor } from "../support/wait-for.js";

const instance = newInstance("tw");
const docker = testbedDocker();
const REPLICAS = 2;
const BATCH = 1;
let repo: TestDeployRepo;
let workers: DockhandProcess[] = [];
let redis: Redis;
let queue: SyncQueue;
let raw: Queue;

/** A commit on a side branch: neither it nor main's head is older than the other, so every sync really rolls. */
function sideCommit(greeting: string): string {
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: repo.work,
      encoding: "utf8",
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@t",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@t",
      },
    }).trim();
  git("checkout", "--quiet", "-b", "side");
  repo.edit("apps/web.yaml", (t) => t.replace(/GREETING: .*/, `GREETING: ${greeting}`));
  git("commit", "--quiet", "-am", greeting);
  git("push", "--quiet", "origin", "side");
  const sha = git("rev-parse", "HEAD");
  git("checkout", "--quiet", "main");
  return sha;
}

function runningWeb() {
  return containersOf(docker, instance).then((all) =>
    all.filter((c) => c.app === "web" && c.state === "running" && c.retiredAt === undefined),
  );
}

beforeAll(async () => {
  repo = smallRepo({ replicas: REPLICAS });
  const env = {
    DOCKHAND_REPO: repo.remote,
    REDIS_URL: testbed().redisUrl,
    DOCKHAND_INSTANCE: instance,
    DOCKHAND_POLL_INTERVAL: "0",
    DOCKHAND_LOCK_TTL: "5s",
  };
  // Two machines: each its own state dir (git mirror), one Redis.
  workers = ["w1", "w2"].map((name) =>
    startDockhand(["worker"], { ...env, DOCKHAND_STATE_DIR: `${repo.root}/${name}` }),
  );
  await waitFor("both workers to start", () => workers.every((w) => w.logged("dockhand worker started").length > 0), {
    timeoutMs: 30_000,
  });
  redis = new Redis(testbed().redisUrl, { maxRetriesPerRequest: null });
  queue = new SyncQueue(redis, queuePrefix(instance));
  raw = new Queue(QUEUE_NAMES.sync, { connection: redis, prefix: queuePrefix(instance) });
});

afterAll(async () => {
  for (const w of workers) await w.stop();
  await raw?.close();
  await queue?.close();
  redis?.disconnect();
  await cleanUp(instance, docker);
  await docker.close();
});

interface Hold {
  token: string;
  from: number;
  to: number;
  worker: number;
}

/** Who held web's lock when, from both workers' logs. */
function holds(): Hold[] {
  const out = new Map<string, Hold>();
  workers.forEach((w, worker) => {
    for (const l of w.lines) {
      const apps = l.apps as string[] | undefined;
      if (!apps?.includes("production/web")) continue;
      const token = String(l.token);
      if (l.msg === "app locks acquired") out.set(token, { token, from: Number(l.time), to: Infinity, worker });
      if (l.msg === "releasing app locks") {
        const hold = out.get(token);
        if (hold) hold.to = Number(l.time);
      }
    }
  });
  return [...out.values()].sort((a, b) => a.from - b.from);
}

describe("two dockhand worker processes, one Redis", () => {
  it("never roll web twice at once, however many syncs run", async () => {
    const b = sideCommit("from-b");
    const a = pushGreeting(repo, "from-a");
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, (await runningWeb()).length);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const jobs = [a, b, a, b, a, b].map((sha, i) =>
      raw.add("sync", { trigger: "api", env: "production", sha }, { jobId: `raw-${i}` }),
    );
    await Promise.all(jobs);
    // As POST /api/sync asks: b is on a side branch, which a push may not deploy (docs/security.md).
    for (let i = 0; i < 5; i++) await queue.enqueue({ trigger: "api", env: "production", sha: i % 2 ? a : b });
    await waitFor(
      "every sync to finish",
      async () => {
        const counts = await raw.getJobCounts("active", "waiting", "delayed", "prioritized");
        return Object.values(counts).every((n) => n === 0);
      },
      { timeoutMs: 150_000, intervalMs: 500 },
    );
    sampling = false;
    await sampler;

    const started = workers.map((w) => w.logged("sync started").length);
    expect(started.every((n) => n > 0)).toBe(true);
    expect(workers.some((w) => w.logged("waiting for app locks held by another worker").length > 0)).toBe(true);
    const timeline = holds();
    expect(timeline.length).toBeGreaterThanOrEqual(6);
    for (let i = 1; i < timeline.length; i++) {
      const [before, after] = [timeline[i - 1], timeline[i]];
      expect(before && after && before.to <= after.from, JSON.stringify([before, after])).toBe(true);
    }
    expect(most).toBeLessThanOrEqual(REPLICAS + BATCH);
    const web = await runningWeb();
    expect(web).toHaveLength(REPLICAS);
    expect(new Set(web.map((c) => c.commit)).size).toBe(1);
    expect([a, b]).toContain(web[0]?.commit);
    const failed = await raw.getFailed();
    expect(failed.map((j) => j.failedReason)).toEqual([]);
  });
});
