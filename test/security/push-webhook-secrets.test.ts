/**
 * Per-repository webhook secrets, through the real receiver on a real port
 * with deliveries signed as GitHub signs them, configured as `dockhand serve`
 * reads its environment: an app's source repository (`build.git`) has a
 * secret of its own, which signs its own deliveries and never one about the
 * deploy repo; the deploy repo keeps the default secret. Both rotate.
 */
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { PreviewRequest, SyncJob } from "../../src/model/index.js";
import { readEnv } from "../../src/runtime/env.js";
import { webhookRoutes } from "../../src/webhook/index.js";
import { deliver, pullRequestPayload, pushPayload } from "../support/github-webhook.js";

const DEPLOY = "acme/deploy";
const SOURCE = "acme/app";
const env = readEnv({
  DOCKHAND_WEBHOOK_SECRET: "deploy-old,deploy-new",
  DOCKHAND_WEBHOOK_SECRETS: "acme/app=source-old, Acme/App=source-new",
});
const SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
let receiver: FastifyInstance;
let url: string;
const queued: (SyncJob | PreviewRequest)[] = [];

beforeAll(async () => {
  receiver = Fastify();
  await webhookRoutes(receiver, {
    secrets: env.webhookSecrets,
    repositorySecrets: env.repositorySecrets,
    repository: DEPLOY,
    branch: "main",
    sources: async () => [{ url: "https://github.com/acme/app.git", branch: "main", apps: ["web"] }],
    enqueueSync: async (job, requestId) => {
      queued.push(job);
      return { status: "queued", jobId: requestId };
    },
    enqueuePreview: async (request, requestId) => {
      queued.push(request);
      return { status: "queued", jobId: requestId };
    },
    log: pino({ level: "silent" }),
  });
  await receiver.listen({ host: "127.0.0.1", port: 0 });
  url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/webhooks/github`;
});

afterAll(async () => {
  await receiver?.close();
});

beforeEach(() => {
  queued.length = 0;
});

function push(repository: string, secret: string) {
  return deliver(url, "push", pushPayload(repository, "refs/heads/main", SHA), secret);
}

function answer(result: { status: number; body: string }): { code: number; status: string; reason: string } {
  const body = JSON.parse(result.body) as { status: string; reason: string };
  return { code: result.status, status: body.status, reason: body.reason };
}

describe("a source repository's webhook secret signs for that repository only", () => {
  it("refuses a push about the deploy repo signed with the source repository's secret (401), queuing nothing", async () => {
    expect(answer(await push(DEPLOY, "source-new"))).toEqual({
      code: 401,
      status: "rejected",
      reason:
        "X-Hub-Signature-256 is not made with the default secret (DOCKHAND_WEBHOOK_SECRET), which alone signs for acme/deploy",
    });
    expect(answer(await push(DEPLOY.toUpperCase(), "source-old")).code).toBe(401);
    expect(queued).toEqual([]);
  });

  it("refuses a pull request on the deploy repo signed with the source repository's secret", async () => {
    const payload = pullRequestPayload("opened", {
      repository: DEPLOY,
      number: 7,
      sha: SHA,
      headRef: "x",
      base: "main",
    });
    expect(answer(await deliver(url, "pull_request", payload, "source-new")).code).toBe(401);
    expect(queued).toEqual([]);
  });

  it("queues the source repository's own push signed with either of its secrets (rotation)", async () => {
    expect(answer(await push(SOURCE, "source-new"))).toMatchObject({ code: 202, status: "queued" });
    expect(answer(await push("Acme/App", "source-old"))).toMatchObject({ code: 202, status: "queued" });
    expect(queued).toEqual([
      expect.objectContaining({ trigger: "source", source: expect.objectContaining({ repository: SOURCE, sha: SHA }) }),
      expect.objectContaining({ trigger: "source", source: expect.objectContaining({ repository: "Acme/App" }) }),
    ]);
  });

  it("refuses the source repository's push signed with the default secret: it has its own", async () => {
    expect(answer(await push(SOURCE, "deploy-new"))).toEqual({
      code: 401,
      status: "rejected",
      reason:
        "X-Hub-Signature-256 is not made with acme/app's own secret (DOCKHAND_WEBHOOK_SECRETS), which alone signs for acme/app",
    });
    expect(queued).toEqual([]);
  });

  it("queues the deploy repo's push signed with either default secret (rotation)", async () => {
    expect(answer(await push(DEPLOY, "deploy-old"))).toMatchObject({ code: 202, status: "queued" });
    expect(answer(await push(DEPLOY, "deploy-new"))).toMatchObject({ code: 202, status: "queued" });
    expect(queued).toEqual([
      expect.objectContaining({ trigger: "push", sha: SHA }),
      expect.objectContaining({ trigger: "push", sha: SHA }),
    ]);
  });

  it("refuses a body signed with no secret of ours before reading it", async () => {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": "d-1",
        "x-hub-signature-256": `sha256=${"0".repeat(64)}`,
      },
      body: "{ not json",
    });
    expect(res.status).toBe(401);
    expect(queued).toEqual([]);
  });
});
