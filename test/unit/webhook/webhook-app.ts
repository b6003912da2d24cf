/**
 * A Fastify app with only the webhook route, an in-memory queue that dedupes
 * by request id the way SyncQueue does, and a logger whose lines the test can read.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { pino } from "pino";
import type { SyncJob } from "../../../src/model/jobs.js";
import { type WebhookOptions, webhookRoutes } from "../../../src/webhook/webhook-routes.js";
import { sign } from "../../support/github-examples.js";

export const SECRET = "s3cr3t-webhook-value";
export const REPOSITORY = "Codertocat/Hello-World";

export interface WebhookApp {
  app: FastifyInstance;
  queued: { job: SyncJob; jobId: string }[];
  logs: string[];
}

export async function webhookApp(overrides: Partial<WebhookOptions> = {}): Promise<WebhookApp> {
  const queued: WebhookApp["queued"] = [];
  const logs: string[] = [];
  const seen = new Set<string>();
  const app = Fastify();
  await webhookRoutes(app, {
    secrets: [SECRET],
    repository: REPOSITORY,
    branch: "master",
    enqueueSync: async (job, requestId) => {
      const jobId = `job-${requestId}`;
      if (seen.has(requestId)) return { status: "duplicate", jobId };
      seen.add(requestId);
      queued.push({ job, jobId: requestId });
      return { status: "queued", jobId };
    },
    log: pino({ level: "info" }, { write: (line: string) => logs.push(line) }),
    ...overrides,
  });
  await app.ready();
  return { app, queued, logs };
}

/** Headers GitHub sends with a delivery of `body`, signed with `secret`. */
export function githubHeaders(event: string, delivery: string, body: string, secret = SECRET): Record<string, string> {
  return {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/044aadd",
    "x-github-event": event,
    "x-github-delivery": delivery,
    "x-github-hook-id": "292430182",
    "x-hub-signature-256": sign(secret, body),
  };
}
