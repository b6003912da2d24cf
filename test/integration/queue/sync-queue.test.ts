/**
 * The producer side of the sync queue on the test bed's Redis (issue 6):
 * redeliveries run once even when they race, a burst leaves one pending job
 * per environment carrying the newest request, and pending jobs can be
 * cancelled. No worker runs here, so every job stays pending.
 */

import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SyncJob } from "../../../src/model/index.js";
import { SyncQueue, wantedSync } from "../../../src/worker/queue/sync-queue.js";
import { testbed } from "../../support/testbed.js";
import { cleanUp, newInstance, queuePrefix, testbedDocker } from "./queue-fixtures.js";

const instance = newInstance("sq");
const prefix = queuePrefix(instance);
const docker = testbedDocker();
let redis: Redis;
let queue: SyncQueue;

const sha = (n: number) => n.toString(16).padStart(40, "0");

beforeAll(() => {
  redis = new Redis(testbed().redisUrl, { maxRetriesPerRequest: null });
  queue = new SyncQueue(redis, prefix);
});

afterAll(async () => {
  await queue.close();
  redis.disconnect();
  await cleanUp(instance, docker);
  await docker.close();
});

async function pending(env: string): Promise<string[]> {
  const jobs = await queue.queue.getJobs(["waiting", "delayed", "prioritized"]);
  return jobs.filter((j) => j.data.env === env).map((j) => j.id ?? "");
}

describe("SyncQueue on real Redis", () => {
  it("queues one job for 20 deliveries of one X-GitHub-Delivery racing each other", async () => {
    const job = { trigger: "push" as const, env: "race", sha: sha(1), delivery: "d-race" };
    const answers = await Promise.all(Array.from({ length: 20 }, () => queue.enqueue(job, "push-d-race")));
    expect(answers.filter((a) => a.status === "queued")).toHaveLength(1);
    expect(answers.filter((a) => a.status === "duplicate")).toHaveLength(19);
    expect(await pending("race")).toHaveLength(1);
    // A day later GitHub may redeliver again: still recognised, and named by its job.
    const again = await queue.enqueue(job, "push-d-race");
    expect(again).toEqual({ status: "duplicate", jobId: answers.find((a) => a.status === "queued")?.jobId });
  });

  it("leaves one pending job for 50 pushes, and the newest request is what it will run", async () => {
    const answers = [];
    for (let n = 1; n <= 50; n++) {
      answers.push(await queue.enqueue({ trigger: "push", env: "production", sha: sha(100 + n) }, `push-burst-${n}`));
    }
    expect(answers.every((a) => a.status === "queued")).toBe(true);
    const jobs = await pending("production");
    expect(jobs).toHaveLength(1);
    // Every request joined the first job.
    expect(new Set(answers.map((a) => a.jobId))).toEqual(new Set(jobs));
    const wanted = await wantedSync(redis, prefix, "production");
    expect(wanted).toMatchObject({ sha: sha(150), trigger: "push", env: "production" });
    const first = await queue.queue.getJob(jobs[0] ?? "");
    expect((wanted?.seq ?? 0) > (first?.data.seq ?? 0)).toBe(true);
  });

  it("keeps environments apart: each has its own pending job", async () => {
    await queue.enqueue({ trigger: "api", env: "pr-7", sha: sha(7) });
    await queue.enqueue({ trigger: "api", env: "pr-8", sha: sha(8) });
    expect(await pending("pr-7")).toHaveLength(1);
    expect(await pending("pr-8")).toHaveLength(1);
    expect(await pending("production")).toHaveLength(1);
  });

  it("keeps a request's payload as it was sent, empty arrays and all", async () => {
    const job: SyncJob = {
      trigger: "pull_request",
      env: "pr-9",
      sha: sha(9),
      pullRequest: {
        number: 9,
        action: "opened",
        repository: "acme/deploy",
        headSha: sha(9),
        headRef: "feature",
        baseRef: "main",
        fork: false,
        merged: false,
        labels: [],
      },
    };
    const { jobId } = await queue.enqueue(job);
    const { seq, timeoutMs, ...queued } = (await queue.queue.getJob(jobId))?.data ?? {};
    expect(queued).toEqual(job);
    expect(typeof seq).toBe("number");
    expect(typeof timeoutMs).toBe("number");
    expect((await wantedSync(redis, prefix, "pr-9"))?.pullRequest?.labels).toEqual([]);
  });

  it("cancels a pending job by removing it; a new request then queues a new job", async () => {
    const { jobId } = await queue.enqueue({ trigger: "api", env: "cancel-me" });
    expect(await queue.cancel(jobId)).toBe("removed");
    expect(await queue.queue.getJob(jobId)).toBeUndefined();
    expect(await queue.cancel(jobId)).toBe("unknown");
    const next = await queue.enqueue({ trigger: "api", env: "cancel-me" });
    expect(next.jobId).not.toBe(jobId);
    expect(await pending("cancel-me")).toEqual([next.jobId]);
  });

  it("frees the request id when the job could not be queued, so a redelivery is not lost", async () => {
    // BullMQ refuses a job id with ":" (the env is part of it): a real failure to queue.
    await expect(queue.enqueue({ trigger: "push", env: "bad:env" }, "push-d-fail")).rejects.toThrow(/cannot contain/);
    const retried = await queue.enqueue({ trigger: "push", env: "fine" }, "push-d-fail");
    expect(retried.status).toBe("queued");
  });
});
