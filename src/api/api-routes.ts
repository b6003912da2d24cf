/**
 * The admin API of the queue (issue 6): `POST /api/sync` queues a sync,
 * `DELETE /api/jobs/:id` cancels one, and `POST /api/environments/:env/promote`
 * promotes what an environment's source proved (issue 15). Both sit behind the admin token (the
 * guard main.ts hands in answers 401 without it). The routes get functions,
 * not the queue: this module knows only the model.
 */
import type { FastifyInstance, FastifyReply, preHandlerAsyncHookHandler } from "fastify";
import { DockhandError, ERROR_CODES } from "../model/errors.js";
import type { SyncJob } from "../model/jobs.js";

export type CancelAnswer = "removed" | "cancelling" | "finished" | "unknown";

export interface ApiOptions {
  /** Lets only the admin through (DOCKHAND_ADMIN_TOKEN as a Bearer token). */
  guard: preHandlerAsyncHookHandler;
  enqueueSync: (job: SyncJob, requestId?: string) => Promise<{ status: "queued" | "duplicate"; jobId: string }>;
  cancelJob: (jobId: string) => Promise<CancelAnswer>;
  /**
   * Promotes what an environment's source proved, now (issue 15); throws a
   * DockhandError that says why not (unknown environment, nothing proved).
   */
  promote?: (
    env: string,
  ) => Promise<{ env: string; from: string; sha: string; jobId: string; status: "queued" | "duplicate" }>;
}

export interface SyncRequestBody {
  /** Commit to deploy (full sha); default: the head of the tracked branch. */
  sha?: string;
  /** Default production. */
  env?: string;
  /** Try again apps whose rollout failed at this commit. */
  retry?: boolean;
}

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const ENV = /^[a-z0-9][a-z0-9-]{0,62}$/;
const JOB_ID = /^[\w.:-]{1,200}$/;
const IDEMPOTENCY_KEY = /^[\w.-]{1,128}$/;

/** The request as a job, or what is wrong with it. */
export function readSyncRequest(body: unknown): SyncJob | string {
  if (body === undefined || body === null || body === "") return { trigger: "api", env: "production" };
  if (typeof body !== "object" || Array.isArray(body)) return 'body must be a JSON object like {"sha": "<40 hex>"}';
  const { sha, env = "production", retry, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) return `unknown keys: ${unknown.join(", ")} (expected sha, env, retry)`;
  if (sha !== undefined && (typeof sha !== "string" || !SHA.test(sha))) return "sha must be a full commit sha (40 hex)";
  if (typeof env !== "string" || !ENV.test(env)) return 'env must be an environment name like "production" or "pr-42"';
  if (retry !== undefined && typeof retry !== "boolean") return "retry must be true or false";
  return { trigger: "api", env, ...(sha ? { sha } : {}), ...(retry ? { retry } : {}) };
}

function fail(reply: FastifyReply, code: number, message: string): FastifyReply {
  return reply.code(code).send({ error: "DOCKHAND_E_USAGE", message });
}

export async function apiRoutes(app: FastifyInstance, options: ApiOptions): Promise<void> {
  app.post("/api/sync", { preHandler: options.guard }, async (request, reply) => {
    const job = readSyncRequest(request.body);
    if (typeof job === "string") return fail(reply, 400, job);
    const key = request.headers["idempotency-key"];
    if (key !== undefined && (typeof key !== "string" || !IDEMPOTENCY_KEY.test(key))) {
      return fail(reply, 400, "Idempotency-Key must be letters, digits, '-', '_' or '.' (at most 128)");
    }
    try {
      const { status, jobId } = await options.enqueueSync(job, key ? `api-${key}` : undefined);
      const at = job.sha ?? "the head of the tracked branch";
      const reason =
        status === "queued" ? `sync of ${job.env} at ${at} queued` : "already queued with this Idempotency-Key";
      return reply.code(202).send({ status, job: jobId, reason });
    } catch (err) {
      return reply
        .code(503)
        .send({ error: "DOCKHAND_E_QUEUE", message: `could not queue the sync: ${(err as Error).message}` });
    }
  });

  app.post<{ Params: { env: string } }>(
    "/api/environments/:env/promote",
    { preHandler: options.guard },
    async (request, reply) => {
      const { env } = request.params;
      if (!ENV.test(env)) return fail(reply, 400, 'not an environment name (like "production")');
      if (!options.promote) return fail(reply, 404, "promotions are not served by this process");
      try {
        const done = await options.promote(env);
        const what = `promotion of ${done.env} to ${done.sha} (proved by ${done.from})`;
        const reason = done.status === "queued" ? `${what} queued` : `${what} was already asked for`;
        return reply.code(202).send({ status: done.status, job: done.jobId, sha: done.sha, reason });
      } catch (err) {
        if (!(err instanceof DockhandError)) throw err;
        return reply.code(ERROR_CODES[err.code].status).send({ error: err.code, message: err.message });
      }
    },
  );

  app.delete<{ Params: { id: string } }>("/api/jobs/:id", { preHandler: options.guard }, async (request, reply) => {
    const { id } = request.params;
    if (!JOB_ID.test(id)) return fail(reply, 400, "not a job id");
    let result: CancelAnswer;
    try {
      result = await options.cancelJob(id);
    } catch (err) {
      return reply
        .code(503)
        .send({ error: "DOCKHAND_E_QUEUE", message: `could not cancel: ${(err as Error).message}` });
    }
    switch (result) {
      case "removed":
        return reply.code(200).send({ status: "removed", job: id, reason: "the pending sync was removed" });
      case "cancelling":
        return reply
          .code(202)
          .send({ status: "cancelling", job: id, reason: "the running sync stops and rolls back what it started" });
      case "finished":
        return fail(reply, 409, `job ${id} has already finished`);
      default:
        return fail(reply, 404, `no job ${id}`);
    }
  });
}
