/**
 * The receiver on a real port in front of the real sync queue on the test
 * bed's Redis: signed real payloads are queued once, redeliveries are
 * recognised by Redis, and refusals never reach the queue.
 */
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { pino } from "pino";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookRoutes } from "../../../src/webhook/index.js";
import { SyncQueue } from "../../../src/worker/queue/sync-queue.js";
import { examplesOf, pushToMaster } from "../../support/github-examples.js";
import { testbed } from "../../support/testbed.js";
import { githubHeaders, REPOSITORY, SECRET } from "../../unit/webhook/webhook-app.js";
import { cleanUp, newInstance, queuePrefix, testbedDocker } from "../queue/queue-fixtures.js";

const SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
const instance = newInstance("wh");
const docker = testbedDocker();
let app: FastifyInstance;
let redis: Redis;
let queue: SyncQueue;
let base: string;

beforeAll(async () => {
  redis = new Redis(testbed().redisUrl, { maxRetriesPerRequest: null });
  queue = new SyncQueue(redis, queuePrefix(instance));
  app = Fastify();
  await webhookRoutes(app, {
    secrets: ["old-secret", SECRET],
    repository: REPOSITORY,
    branch: "master",
    statusBranch: "dockhand-status",
    enqueueSync: (job, requestId) => queue.enqueue(job, requestId),
    log: pino({ level: "silent" }),
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app.close();
  await queue.close();
  redis.disconnect();
  await cleanUp(instance, docker);
  await docker.close();
});

async function deliver(headers: Record<string, string>, body: string) {
  const res = await request(`${base}/webhooks/github`, { method: "POST", headers, body });
  return { code: res.statusCode, type: res.headers["content-type"], body: (await res.body.json()) as unknown };
}

async function jobs() {
  return (await queue.queue.getJobs(["waiting", "active", "delayed", "prioritized"])).map((j) => j.data);
}

describe("webhook receiver on a real port, real queue", () => {
  it("queues a signed push, then answers duplicate to its redelivery (Redis remembers the delivery)", async () => {
    const body = JSON.stringify(pushToMaster());
    const delivery = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
    const first = await deliver(githubHeaders("push", delivery, body), body);
    expect(first).toMatchObject({
      code: 202,
      type: "application/json; charset=utf-8",
      body: { status: "queued", reason: `sync of production at ${SHA} queued` },
    });
    const job = (first.body as { job: string }).job;
    const again = await deliver(githubHeaders("push", delivery, body), body);
    expect(again.body).toEqual({ status: "duplicate", reason: `delivery ${delivery} was already queued`, job });
    expect(await jobs()).toEqual([expect.objectContaining({ trigger: "push", env: "production", sha: SHA, delivery })]);
  });

  it("takes a form-encoded delivery signed with the second (rotated) secret, joining the pending sync", async () => {
    const form = `payload=${encodeURIComponent(JSON.stringify(pushToMaster()))}`;
    const headers = { ...githubHeaders("push", "form-1", form), "content-type": "application/x-www-form-urlencoded" };
    expect(await deliver(headers, form)).toMatchObject({ code: 202, body: { status: "queued" } });
    expect(await jobs()).toHaveLength(1);
  });

  it("answers a ping, and ignores a push to the status branch, queuing nothing", async () => {
    const ping = JSON.stringify(examplesOf("ping")[0]);
    expect((await deliver(githubHeaders("ping", "ping-1", ping), ping)).body).toEqual({
      status: "ignored",
      reason: "pong",
    });
    const status = JSON.stringify({ ...pushToMaster(), ref: "refs/heads/dockhand-status" });
    expect((await deliver(githubHeaders("push", "status-1", status), status)).body).toEqual({
      status: "ignored",
      reason: "push to dockhand's status branch dockhand-status: its own records never trigger a deploy",
    });
    expect(await jobs()).toHaveLength(1);
  });

  it("refuses a bad signature with 401, a body over the limit with 413 and a wrong type with 415", async () => {
    const body = JSON.stringify(pushToMaster());
    expect((await deliver(githubHeaders("push", "bad-1", body, "wrong"), body)).code).toBe(401);
    const big = "x".repeat(25 * 1024 * 1024 + 1);
    expect((await deliver(githubHeaders("push", "big-1", big), big)).code).toBe(413);
    const text = { ...githubHeaders("push", "type-1", body), "content-type": "text/plain" };
    expect((await deliver(text, body)).code).toBe(415);
    expect(await jobs()).toHaveLength(1);
  });
});
