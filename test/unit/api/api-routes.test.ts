import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRoutes, type CancelAnswer, readSyncRequest } from "../../../src/api/index.js";
import { AdminAuth } from "../../../src/http/index.js";
import type { SyncJob } from "../../../src/model/index.js";

const SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
const TOKEN = "t0ken";
const auth = { authorization: `Bearer ${TOKEN}` };

describe("readSyncRequest", () => {
  it.each<[string, unknown, SyncJob | string]>([
    ["no body: the tracked branch's head in production", undefined, { trigger: "api", env: "production" }],
    ["a commit", { sha: SHA }, { trigger: "api", env: "production", sha: SHA }],
    ["another env, retried", { env: "pr-42", retry: true }, { trigger: "api", env: "pr-42", retry: true }],
    ["retry false is left out", { retry: false }, { trigger: "api", env: "production" }],
    ["a short sha", { sha: "6113728" }, "sha must be a full commit sha (40 hex)"],
    ["an env with a colon", { env: "a:b" }, 'env must be an environment name like "production" or "pr-42"'],
    ["retry as text", { retry: "yes" }, "retry must be true or false"],
    ["unknown keys", { sha: SHA, ref: "main", force: 1 }, "unknown keys: ref, force (expected sha, env, retry)"],
    ["an array", [SHA], 'body must be a JSON object like {"sha": "<40 hex>"}'],
  ])("%s", (_name, body, expected) => {
    expect(readSyncRequest(body)).toEqual(expected);
  });
});

describe("POST /api/sync and DELETE /api/jobs/:id", () => {
  let app: FastifyInstance;
  const queued: Array<{ job: SyncJob; requestId?: string }> = [];
  const cancels: Record<string, CancelAnswer> = { pending: "removed", running: "cancelling", old: "finished" };

  beforeAll(async () => {
    app = Fastify();
    await app.register(apiRoutes, {
      guard: new AdminAuth({ token: TOKEN }).guard,
      enqueueSync: async (job, requestId) => {
        queued.push({ job, requestId });
        return { status: requestId === "api-seen" ? "duplicate" : "queued", jobId: `sync-${job.env}-${queued.length}` };
      },
      cancelJob: async (jobId) => cancels[jobId] ?? "unknown",
    });
  });
  afterAll(async () => {
    await app.close();
  });

  it("queues a sync for the admin, 202 with the job id", async () => {
    const res = await app.inject({ method: "POST", url: "/api/sync", headers: auth, payload: { sha: SHA } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      status: "queued",
      job: "sync-production-1",
      reason: `sync of production at ${SHA} queued`,
    });
  });

  it("passes an Idempotency-Key as the request id", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/api/sync",
      headers: { ...auth, "idempotency-key": "seen" },
    });
    expect(res.json()).toMatchObject({ status: "duplicate", reason: "already queued with this Idempotency-Key" });
    expect(queued.at(-1)?.requestId).toBe("api-seen");
  });

  it.each([
    ["no token", {}, 401],
    ["a wrong token", { authorization: "Bearer nope" }, 401],
  ])("refuses %s with %i and queues nothing", async (_name, headers, code) => {
    const before = queued.length;
    expect((await app.inject({ method: "POST", url: "/api/sync", headers })).statusCode).toBe(code);
    expect((await app.inject({ method: "DELETE", url: "/api/jobs/running", headers })).statusCode).toBe(code);
    expect(queued.length).toBe(before);
  });

  it("answers 403 when no admin token is configured (the API is off, never open)", async () => {
    const off = Fastify();
    await off.register(apiRoutes, {
      guard: new AdminAuth().guard,
      enqueueSync: async () => ({ status: "queued", jobId: "x" }),
      cancelJob: async () => "removed",
    });
    expect((await off.inject({ method: "POST", url: "/api/sync" })).statusCode).toBe(403);
    await off.close();
  });

  it("answers 400 for a bad request", async () => {
    const res = await app.inject({ method: "POST", url: "/api/sync", headers: auth, payload: { sha: "main" } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: "DOCKHAND_E_USAGE", message: "sha must be a full commit sha (40 hex)" });
  });

  it.each([
    ["pending", 200, { status: "removed", job: "pending", reason: "the pending sync was removed" }],
    [
      "running",
      202,
      { status: "cancelling", job: "running", reason: "the running sync stops and rolls back what it started" },
    ],
    ["old", 409, { error: "DOCKHAND_E_USAGE", message: "job old has already finished" }],
    ["nothing", 404, { error: "DOCKHAND_E_USAGE", message: "no job nothing" }],
  ])("DELETE /api/jobs/%s ─▶ %i", async (id, code, body) => {
    const res = await app.inject({ method: "DELETE", url: `/api/jobs/${id}`, headers: auth });
    expect(res.statusCode).toBe(code);
    expect(res.json()).toEqual(body);
  });
});

describe("the API when the queue cannot be reached", () => {
  it("answers 503 DOCKHAND_E_QUEUE, saying what failed", async () => {
    const app = Fastify();
    const down = async (): Promise<never> => {
      throw new Error("Connection is closed.");
    };
    await app.register(apiRoutes, { guard: new AdminAuth({ token: TOKEN }).guard, enqueueSync: down, cancelJob: down });
    try {
      const sync = await app.inject({ method: "POST", url: "/api/sync", headers: auth });
      expect([sync.statusCode, sync.json()]).toEqual([
        503,
        { error: "DOCKHAND_E_QUEUE", message: "could not queue the sync: Connection is closed." },
      ]);
      const cancel = await app.inject({ method: "DELETE", url: "/api/jobs/sync-production-1", headers: auth });
      expect([cancel.statusCode, cancel.json()]).toEqual([
        503,
        { error: "DOCKHAND_E_QUEUE", message: "could not cancel: Connection is closed." },
      ]);
    } finally {
      await app.close();
    }
  });
});
