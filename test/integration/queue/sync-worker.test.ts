/**
 * The sync worker against the real things (issue 6): a real git remote, the
 * test bed's Redis and its two engines. Older commits do nothing; a config
 * error and a failed health gate fail at once; a git fetch failure is retried
 * with backoff; a timeout and a cancel (through the admin API) stop the work
 * and roll it back.
 */
import { renameSync } from "node:fs";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRoutes } from "../../../src/api/index.js";
import { AdminAuth } from "../../../src/http/index.js";
import { SyncQueue } from "../../../src/worker/queue/sync-queue.js";
import type { TestDeployRepo } from "../../support/deploy-repo.js";
import { waitFor } from "../../support/wait-for.js";
import {
  cleanUp,
  containersOf,
  finished,
  type Harness,
  pushGreeting,
  smallRepo,
  startHarness,
  testbedDocker,
} from "./queue-fixtures.js";

const docker = testbedDocker();
let repo: TestDeployRepo;
let h: Harness;

async function web(): Promise<{ running: string[]; commits: string[] }> {
  const all = (await containersOf(docker, h.instance)).filter((c) => c.app === "web" && c.retiredAt === undefined);
  const running = all.filter((c) => c.state === "running");
  return { running: running.map((c) => c.id).sort(), commits: [...new Set(running.map((c) => c.commit))] };
}

beforeAll(async () => {
  repo = smallRepo({ replicas: 2, within: "3s" });
  h = await startHarness(repo.remote, { lockTtlMs: 2_000 });
  const first = await h.queue.enqueue({ trigger: "startup", env: "production" });
  expect((await finished(h.queue, first.jobId)).finishedOn).toBeDefined();
  expect((await web()).running).toHaveLength(2);
});

afterAll(async () => {
  await h?.close();
  await cleanUp(h.instance, docker);
  await docker.close();
});

describe("sync worker on real Redis, git and engines", () => {
  it("does nothing for a commit older than the applied one", async () => {
    const older = pushGreeting(repo, "older");
    const newer = pushGreeting(repo, "newer");
    const applied = await h.queue.enqueue({ trigger: "push", env: "production", sha: newer });
    expect(await (await finished(h.queue, applied.jobId)).getState()).toBe("completed");
    const before = await web();
    expect(before.commits).toEqual([newer]);

    const late = await h.queue.enqueue({ trigger: "push", env: "production", sha: older });
    const job = await finished(h.queue, late.jobId);
    expect(job.returnvalue).toEqual({ sha: older, status: "noop", apps: [] });
    const skipped = h.logged("sync skipped").at(-1);
    expect(skipped?.reason).toBe(`commit ${older.slice(0, 12)} is older than the applied ${newer.slice(0, 12)}`);
    expect(await web()).toEqual(before);
  });

  it("fails a config error at once (no retry) and changes nothing", async () => {
    const before = await web();
    repo.edit("apps/web.yaml", (t) => t.replace(/replicas: \d+/, "replicas: two"));
    const sha = repo.push("broken replicas");
    const { jobId } = await h.queue.enqueue({ trigger: "push", env: "production", sha });
    const job = await finished(h.queue, jobId);
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/apps\/web\.yaml:\d+:\d+ replicas: /);
    expect(await web()).toEqual(before);
    repo.edit("apps/web.yaml", (t) => t.replace("replicas: two", "replicas: 2"));
  });

  it("fails a failed health gate at once and keeps the old containers serving", async () => {
    const before = await web();
    // Health is not part of the container: a new environment makes the new (never healthy) container.
    repo.edit("apps/web.yaml", (t) => t.replace("path: /healthz", "path: /nope"));
    const sha = pushGreeting(repo, "unhealthy");
    const { jobId } = await h.queue.enqueue({ trigger: "push", env: "production", sha });
    const job = await finished(h.queue, jobId);
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/rollout failed \(web: /);
    expect(await web()).toEqual(before);
  });

  it("stops a sync at its timeout and rolls it back", async () => {
    const before = await web();
    // Still the commit whose health never passes, but with 60 s to pass: only the timeout ends it.
    repo.edit("apps/web.yaml", (t) => t.replace("within: 3s,", "within: 60s,"));
    const sha = pushGreeting(repo, "slow");
    const short = new SyncQueue(h.redis.duplicate(), h.prefix, { jobTimeoutMs: 2_000 });
    const { jobId } = await short.enqueue({ trigger: "push", env: "production", sha });
    const job = await finished(h.queue, jobId);
    await short.close();
    expect(await job.getState()).toBe("failed");
    expect(job.failedReason).toBe("sync timed out after 2000 ms");
    expect(job.attemptsMade).toBe(1);
    expect(await web()).toEqual(before);
  });

  it("cancels a running sync through DELETE /api/jobs/:id, which rolls back what it started", async () => {
    const before = await web();
    pushGreeting(repo, "to-cancel");
    const app = Fastify();
    await app.register(apiRoutes, {
      guard: new AdminAuth({ token: "admin-token" }).guard,
      enqueueSync: (job, requestId) => h.queue.enqueue(job, requestId),
      cancelJob: (jobId) => h.queue.cancel(jobId),
    });
    const auth = { authorization: "Bearer admin-token" };
    expect((await app.inject({ method: "POST", url: "/api/sync" })).statusCode).toBe(401);
    const queued = await app.inject({ method: "POST", url: "/api/sync", headers: auth, payload: { retry: true } });
    expect(queued.statusCode).toBe(202);
    const jobId = String(queued.json().job);
    await waitFor("the health wait to begin", () =>
      h.logged("rollout step").some((l) => l.job === jobId && String(l.step).startsWith("waitHealthy")),
    );
    expect((await app.inject({ method: "DELETE", url: `/api/jobs/${jobId}` })).statusCode).toBe(401);
    const cancel = await app.inject({ method: "DELETE", url: `/api/jobs/${jobId}`, headers: auth });
    expect(cancel.json()).toMatchObject({ status: "cancelling", job: jobId });
    const job = await finished(h.queue, jobId);
    expect(await job.getState()).toBe("failed");
    expect(job.failedReason).toBe("sync cancelled: cancelled through the API");
    expect(await web()).toEqual(before);
    const again = await app.inject({ method: "DELETE", url: `/api/jobs/${jobId}`, headers: auth });
    expect(again.statusCode).toBe(409);
    await app.close();
  });

  it("retries a git fetch failure with backoff until the remote is back, then deploys", async () => {
    repo.edit("apps/web.yaml", (t) =>
      t.replace("path: /nope", "path: /healthz").replace("within: 60s,", "within: 30s,"),
    );
    const sha = pushGreeting(repo, "after-outage");
    const away = `${repo.remote}.away`;
    renameSync(repo.remote, away);
    const { jobId } = await h.queue.enqueue({ trigger: "push", env: "production", sha });
    await waitFor("a failed attempt", () =>
      h.logged("sync job failed").some((l) => l.job === jobId && /could not fetch/.test(String(l.err))),
    );
    renameSync(away, repo.remote);
    const job = await finished(h.queue, jobId);
    expect(await job.getState()).toBe("completed");
    expect(job.attemptsMade).toBeGreaterThanOrEqual(2);
    expect((await web()).commits).toEqual([sha]);
  });
});
