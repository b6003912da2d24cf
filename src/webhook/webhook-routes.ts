/**
 * POST /webhooks/github: verify the signature on the raw body (and, once the
 * body names its repository, that this repository's secret made it:
 * webhook-secrets.ts), classify the event, enqueue a sync (or hand a pull
 * request to previews), answer 202 at once (GitHub gives up after 10 s). A
 * redelivery (the same X-GitHub-Delivery) is recognised by the queue and
 * answered "duplicate". The route lives in its own encapsulated scope, so
 * its body parsers (raw buffers, not parsed JSON) never leak into the rest of
 * the app.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { DockhandError } from "../model/errors.js";
import type { SyncJob, TrackedSource } from "../model/jobs.js";
import { classifyEvent, type EventDecision, type PreviewRequest } from "./classify-event.js";
import { repositoryOf } from "./event-payloads.js";
import { decodeBody, FORM_CONTENT_TYPE, readPayload } from "./read-payload.js";
import { verifySignature } from "./verify-signature.js";
import { type RepositorySecrets, WebhookSecrets } from "./webhook-secrets.js";

export const WEBHOOK_PATH = "/webhooks/github";
/** GitHub caps payloads at 25 MB and drops bigger ones, so bigger bodies are not GitHub's. */
export const DEFAULT_WEBHOOK_BODY_LIMIT = 25 * 1024 * 1024;

export interface EnqueueAnswer {
  status: "queued" | "duplicate";
  /** The job that runs (or ran) the request. */
  jobId: string;
}

export interface WebhookOptions {
  /** Webhook secrets; a delivery signed with any one is accepted (rotation). The default for repositories with none of their own. */
  secrets: string[];
  /**
   * Secrets of repositories that have their own, by `owner/name` (an app's
   * source repository, whose owners are not the deploy repo's): a delivery
   * about such a repository must be signed with one of them, and they sign
   * for no other repository.
   */
  repositorySecrets?: RepositorySecrets;
  /** owner/name of the deploy repo; pushes elsewhere are ignored. */
  repository: string;
  /** The tracked branch. */
  branch: string;
  /** dockhand's status branch (dockhand.yaml `status.branch`); pushes to it are ignored, said so. */
  statusBranch?: string;
  /** Queue a sync. `requestId` (`push-<delivery>`) dedupes: a redelivery answers "duplicate". */
  enqueueSync: (job: SyncJob, requestId: string) => Promise<EnqueueAnswer>;
  /** The source repositories apps build from (`build.git`), as the last sync read them; without it pushes there are ignored. */
  sources?: () => Promise<readonly TrackedSource[]>;
  /** Hand a pull request to previews; without it pull requests are ignored ("previews are not enabled"). */
  enqueuePreview?: (request: PreviewRequest, requestId: string) => Promise<EnqueueAnswer>;
  log: Logger;
  /** Largest accepted body in bytes. Default 25 MB (GitHub's limit). */
  bodyLimit?: number;
}

export type WebhookStatus = "queued" | "duplicate" | "ignored" | "rejected";

/** The JSON body of every answer, success or not. */
export interface WebhookAnswer {
  status: WebhookStatus;
  reason: string;
  /** The queue job, for queued and duplicate deliveries (cancel it with DELETE /api/jobs/:id). */
  job?: string;
}

const REPOSITORY = /^[\w.-]+\/[\w.-]+$/;
// GitHub's deliveries are GUIDs; the id also becomes part of a Redis key.
const DELIVERY = /^[\w.-]{1,128}$/;

function checkOptions(options: WebhookOptions): void {
  const usage = (message: string) => new DockhandError("DOCKHAND_E_USAGE", `webhookRoutes: ${message}`);
  if (!REPOSITORY.test(options.repository ?? "")) {
    throw usage(`repository must be "owner/name" (DOCKHAND_GITHUB_REPO), got "${options.repository}"`);
  }
  if (!options.branch) throw usage("branch is empty; give the tracked branch, e.g. main");
  if (options.bodyLimit !== undefined && !(Number.isInteger(options.bodyLimit) && options.bodyLimit > 0)) {
    throw usage(`bodyLimit must be a positive integer of bytes, got ${options.bodyLimit}`);
  }
}

function answer(reply: FastifyReply, code: number, status: WebhookStatus, reason: string, job?: string): FastifyReply {
  const body: WebhookAnswer = job ? { status, reason, job } : { status, reason };
  return reply.code(code).type("application/json").send(body);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Fastify's own 4xx (unknown content type, body too large) in our answer shape, with a hint at the fix. */
function rejectFrameworkError(error: FastifyError, reply: FastifyReply, limit: number): FastifyReply {
  const code = error.statusCode ?? 500;
  if (code === 415) {
    return answer(reply, 415, "rejected", `content type is not accepted; set the webhook's to application/json`);
  }
  if (code === 413) return answer(reply, 413, "rejected", `body is over ${limit} bytes, more than GitHub ever sends`);
  if (code >= 400 && code < 500) return answer(reply, code, "rejected", error.message);
  throw error;
}

export async function webhookRoutes(app: FastifyInstance, options: WebhookOptions): Promise<void> {
  checkOptions(options);
  const secrets = new WebhookSecrets(options.secrets, options.repositorySecrets);
  const limit = options.bodyLimit ?? DEFAULT_WEBHOOK_BODY_LIMIT;
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    const keepRaw = (_req: FastifyRequest, body: Buffer, done: (err: null, body: Buffer) => void) => done(null, body);
    scope.addContentTypeParser(
      ["application/json", FORM_CONTENT_TYPE],
      { parseAs: "buffer", bodyLimit: limit },
      keepRaw,
    );
    scope.setErrorHandler((error: FastifyError, _request, reply) => rejectFrameworkError(error, reply, limit));
    scope.post(WEBHOOK_PATH, { bodyLimit: limit }, (request, reply) =>
      handleDelivery(request, reply, options, secrets),
    );
  });
}

interface Delivery {
  event: string;
  delivery: string;
  payload: Record<string, unknown>;
}

type Rejection = { code: number; reason: string };

/**
 * A verified, parsed delivery, or why it is refused: 401 before anything else
 * is read when no secret of ours signed it, and 401 once the body is parsed
 * when the secret that did is not the one of the repository it names.
 */
async function readDelivery(request: FastifyRequest, secrets: WebhookSecrets): Promise<Delivery | Rejection> {
  const signature = header(request, "x-hub-signature-256");
  if (!signature) return { code: 401, reason: "X-Hub-Signature-256 is missing; give the webhook a secret" };
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const text = decodeBody(raw);
  if (text === undefined || text === "") return { code: 400, reason: "body is empty or not UTF-8" };
  if (!(await verifySignature(secrets.all, text, signature))) {
    return { code: 401, reason: "X-Hub-Signature-256 does not match; the webhook's secret differs from ours" };
  }
  const event = header(request, "x-github-event");
  const delivery = header(request, "x-github-delivery");
  if (!event) return { code: 400, reason: "X-GitHub-Event is missing" };
  if (!delivery || !DELIVERY.test(delivery)) {
    return { code: 400, reason: "X-GitHub-Delivery is missing or not an id of letters, digits, '-', '_', '.'" };
  }
  const parsed = readPayload(text, header(request, "content-type") ?? "");
  if (!parsed.ok) return { code: 400, reason: parsed.reason };
  const repository = repositoryOf(parsed.payload);
  const own = secrets.for(repository);
  if (!(await verifySignature(own.secrets, text, signature))) {
    const about = repository ?? "deliveries that name no repository";
    return { code: 401, reason: `X-Hub-Signature-256 is not made with ${own.source}, which alone signs for ${about}` };
  }
  return { event, delivery, payload: parsed.payload };
}

async function handleDelivery(
  request: FastifyRequest,
  reply: FastifyReply,
  options: WebhookOptions,
  secrets: WebhookSecrets,
) {
  const read = await readDelivery(request, secrets);
  if ("code" in read) return answer(reply, read.code, "rejected", read.reason);
  const { event, delivery, payload } = read;
  const log = options.log.child({ delivery, event });
  let sources: readonly TrackedSource[] | undefined;
  try {
    sources = fromOtherRepository(event, payload, options.repository) ? await options.sources?.() : undefined;
  } catch (err) {
    log.error({ err: (err as Error).message }, "webhook could not read the tracked source repositories");
    return answer(reply, 503, "rejected", `could not read the apps' source repositories: ${(err as Error).message}`);
  }
  const decision = classifyEvent(event, payload, {
    repository: options.repository,
    branch: options.branch,
    statusBranch: options.statusBranch,
    delivery,
    ...(sources ? { sources } : {}),
  });
  const work = toWork(decision, delivery, options);
  if ("ignore" in work) {
    log.info({ reason: work.ignore }, "webhook ignored");
    return answer(reply, 202, "ignored", work.ignore);
  }
  try {
    const { status, jobId } = await work.run();
    log.info({ what: work.what, status, job: jobId }, "webhook enqueued");
    const reason = status === "queued" ? `${work.what} queued` : `delivery ${delivery} was already queued`;
    return answer(reply, 202, status, reason, jobId || undefined);
  } catch (err) {
    // 503 makes GitHub mark the delivery failed, so it can be redelivered once the queue is back.
    log.error({ err: (err as Error).message, what: work.what }, "webhook could not enqueue");
    return answer(reply, 503, "rejected", `could not queue the ${work.what}: ${(err as Error).message}`);
  }
}

/** Only events from another repository than the deploy repo need the source list (one Redis read). */
function fromOtherRepository(event: string, payload: Record<string, unknown>, repository: string): boolean {
  if (event !== "push" && event !== "pull_request") return false;
  const fullName = repositoryOf(payload);
  return fullName !== undefined && fullName.toLowerCase() !== repository.toLowerCase();
}

type Work = { ignore: string } | { what: string; run: () => Promise<EnqueueAnswer> };

function toWork(decision: EventDecision, delivery: string, options: WebhookOptions): Work {
  if (decision.action === "ignore") return { ignore: decision.reason };
  if (decision.action === "sync") {
    const { job } = decision;
    const what = job.source
      ? `sync of ${job.env} for ${job.source.repository}@${job.source.sha} (${job.source.apps.join(", ")})`
      : `sync of ${job.env} at ${job.sha}`;
    return { what, run: () => options.enqueueSync(job, `push-${delivery}`) };
  }
  const { request } = decision;
  const { enqueuePreview } = options;
  if (!enqueuePreview) return { ignore: `previews are not enabled: pull request #${request.number} left alone` };
  return {
    what: `preview ${request.action} of pull request #${request.number} at ${request.sha}`,
    run: () => enqueuePreview(request, `pr-${delivery}`),
  };
}
