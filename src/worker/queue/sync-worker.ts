/**
 * The consumer side of the sync queue (issue 6). One sync at a time per
 * worker process (a sync already rolls its apps in parallel); several
 * processes on several machines share one Redis.
 *
 * A job runs the newest request for its environment, skips one that an
 * earlier sync already covered or whose commit is older than the applied
 * one, retries transient failures with backoff and fails the rest at once,
 * can be cancelled from any process, stops after its timeout, and on
 * shutdown hands its job back at a clean point (see stop()).
 */
import { type Job, UnrecoverableError, WaitingError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { DeployOutcome, SyncJob } from "../../model/index.js";
import { DockhandError, QUEUE_NAMES } from "../../model/index.js";
import { runPullRequest } from "../previews/run-pull-request.js";
import type { StepEvent } from "../rollout/rollout-context.js";
import { APP_LOCK_DEFAULTS, AppLocks } from "../sync/app-lock.js";
import { runSync, type SyncDeps } from "../sync/run-sync.js";
import { AppliedState } from "./applied-state.js";
import { HaltGate } from "./halt-gate.js";
import { type QueuedSync, SYNC_QUEUE_DEFAULTS, syncStateKeys } from "./sync-queue.js";
import { failureOf, requestToRun, skipReason } from "./sync-verdict.js";

export const SYNC_WORKER_DEFAULTS = {
  /** A sync not finished this long after a stop request is handed back to the queue at its next clean point. */
  stopGraceMs: 20_000,
} as const;

export interface SyncWorkerOptions {
  connection: Redis;
  prefix: string;
  deps: SyncDeps;
  log: Logger;
  /** Called with every finished sync (skipped ones as noop), for reporting. */
  onOutcome?: (job: SyncJob, outcome: DeployOutcome) => void;
  /**
   * How long a job's and an app's lock last without renewal: a worker that
   * died is taken over after about this long. Default 30 s.
   */
  lockTtlMs?: number;
  /**
   * The per-app locks; default: under the queue's prefix. Give every process
   * that rolls apps (workers, `dockhand apply`, rollback) the same ones.
   */
  locks?: AppLocks;
}

interface Running {
  job: Job<QueuedSync, DeployOutcome>;
  token: string;
  done: Promise<unknown>;
}

export class SyncWorker {
  readonly worker: Worker<QueuedSync, DeployOutcome>;
  readonly locks: AppLocks;
  private readonly applied: AppliedState;
  private readonly keys: ReturnType<typeof syncStateKeys>;
  private readonly gate = new HaltGate();
  private readonly subscriber: Redis;
  private running: Running | undefined;
  private stopping = false;

  constructor(private readonly options: SyncWorkerOptions) {
    const { connection, prefix, log } = options;
    const lockTtlMs = options.lockTtlMs ?? APP_LOCK_DEFAULTS.ttlMs;
    this.keys = syncStateKeys(prefix);
    this.locks = options.locks ?? new AppLocks(connection, `${prefix}:`, { ttlMs: lockTtlMs, log });
    this.applied = new AppliedState(connection, `${prefix}:${QUEUE_NAMES.sync}-state:`);
    this.worker = new Worker<QueuedSync, DeployOutcome>(
      QUEUE_NAMES.sync,
      (job, token, signal) => this.track(job, token ?? "", signal),
      {
        connection,
        prefix,
        concurrency: 1,
        lockDuration: lockTtlMs,
        stalledInterval: Math.max(500, Math.floor(lockTtlMs / 2)),
        maxStalledCount: 2,
      },
    );
    this.worker.on("error", (err) => log.error({ err: err.message }, "sync worker error"));
    this.worker.on("failed", (job, err) =>
      log.warn({ job: job?.id, attempts: job?.attemptsMade, err: err.message }, "sync job failed"),
    );
    this.worker.on("completed", (job, outcome) =>
      log.info({ job: job.id, status: outcome.status }, "sync job completed"),
    );
    this.subscriber = this.listenForCancels();
  }

  /** The applied commit per environment, as this worker records it. */
  get appliedState(): AppliedState {
    return this.applied;
  }

  /**
   * Stops taking jobs. A running sync may finish within `graceMs`; past that,
   * the port calls under way finish, no new one starts, the job goes back to
   * the queue and the app locks are freed, so another worker (or this one,
   * restarted) re-observes and carries on at once.
   */
  async stop(graceMs: number = SYNC_WORKER_DEFAULTS.stopGraceMs): Promise<"idle" | "finished" | "handed back"> {
    const { log } = this.options;
    this.stopping = true;
    await this.worker.pause(true);
    const running = this.running;
    let result: "idle" | "finished" | "handed back" = "idle";
    if (running) {
      log.info({ job: running.job.id, graceMs }, "stopping: waiting for the running sync");
      const timer = new Promise<"late">((resolve) => setTimeout(resolve, graceMs, "late").unref());
      result =
        (await Promise.race([running.done.then(() => "finished" as const), timer])) === "late"
          ? await this.handBack(running)
          : "finished";
    }
    await this.worker.close(result === "handed back");
    this.subscriber.disconnect();
    return result;
  }

  private async handBack(running: Running): Promise<"handed back"> {
    const { log } = this.options;
    await this.gate.halt();
    await this.locks.releaseAll().catch(() => undefined);
    await running.job.moveToWait(running.token).catch((err: Error) => {
      log.warn(
        { job: running.job.id, err: err.message },
        "could not hand the job back; it is taken over when its lock expires",
      );
    });
    log.info({ job: running.job.id }, "stopping: the running sync was handed back at a clean point");
    return "handed back";
  }

  private async track(
    job: Job<QueuedSync, DeployOutcome>,
    token: string,
    signal?: AbortSignal,
  ): Promise<DeployOutcome> {
    if (this.stopping) {
      // Fetched while the worker was being paused: straight back to the queue, untouched.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const done = this.process(job, signal);
    this.running = { job, token, done: done.catch(() => undefined) };
    return done.finally(() => {
      if (this.running?.job === job) this.running = undefined;
    });
  }

  private async process(job: Job<QueuedSync, DeployOutcome>, cancel?: AbortSignal): Promise<DeployOutcome> {
    const request = await this.newest(job.data);
    const log = this.options.log.child({
      job: job.id,
      env: request.env,
      trigger: request.trigger,
      delivery: request.delivery,
    });
    const skip = await skipReason(request, {
      repo: this.options.deps.repo,
      applied: await this.applied.get(request.env),
      doneSeq: Number((await this.options.connection.hget(this.keys.done, request.env)) ?? 0),
    });
    if (skip) {
      log.info({ seq: request.seq, sha: request.sha, reason: skip.reason }, "sync skipped");
      this.options.onOutcome?.(job.data, skip.outcome);
      return skip.outcome;
    }
    log.info(
      { seq: request.seq, sha: request.sha, asked: job.data.sha, attempt: job.attemptsMade + 1 },
      "sync started",
    );
    const timeoutMs = request.timeoutMs ?? SYNC_QUEUE_DEFAULTS.jobTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = cancel ? AbortSignal.any([cancel, timeout]) : timeout;
    let outcome: DeployOutcome;
    try {
      // A pull request's job plans it and runs its preview (issue 7).
      const run = request.pullRequest ? runPullRequest : runSync;
      outcome = await run({ ...request, retry: request.retry || job.attemptsMade > 0 }, this.depsFor(log), signal);
    } catch (err) {
      throw asJobError(err, signal, timeoutMs);
    }
    this.options.onOutcome?.(job.data, outcome);
    if (outcome.status !== "failed" && !signal.aborted) await this.recordDone(request, outcome, log);
    const failure = failureOf(outcome, cancel, timeout, timeoutMs);
    if (failure) throw failure;
    return outcome;
  }

  /** The env's newest request when it supersedes the job's own payload (which it then replaces). */
  private async newest(data: QueuedSync): Promise<QueuedSync> {
    const text = await this.options.connection.hget(this.keys.wanted, data.env);
    return requestToRun(data, text ? (JSON.parse(text) as QueuedSync) : undefined);
  }

  private depsFor(log: Logger): SyncDeps {
    const { deps } = this.options;
    const onStep = (event: StepEvent) => {
      const { phase, ...rest } = event;
      log.info({ ...rest, phase }, "rollout step");
      deps.onStep?.(event);
    };
    return {
      ...deps,
      log,
      onStep,
      locks: this.locks,
      routes: this.gate.wrap(deps.routes, ["close", "subscribe"]),
      dockerFor: (hosts) => this.gate.wrap(deps.dockerFor(hosts), ["close"]),
    };
  }

  private async recordDone(request: QueuedSync, outcome: DeployOutcome, log: Logger): Promise<void> {
    try {
      if (outcome.sha && !outcome.declined) await this.applied.record(request.env, outcome.sha);
      if (request.seq !== undefined) {
        await this.options.connection.eval(MAX_SEQ, 1, this.keys.done, request.env, request.seq);
      }
    } catch (err) {
      log.warn({ err: String(err) }, "could not record the applied commit");
    }
  }

  /** Cancels reach the worker running the job, wherever it runs, through Redis pub/sub. */
  private listenForCancels(): Redis {
    const subscriber = this.options.connection.duplicate();
    subscriber.on("error", () => undefined);
    void subscriber.subscribe(this.keys.cancel).catch(() => undefined);
    subscriber.on("message", (_channel: string, text: string) => {
      try {
        const { jobId, reason } = JSON.parse(text) as { jobId: string; reason?: string };
        if (this.worker.cancelJob(jobId, reason ?? "cancelled")) {
          this.options.log.info({ job: jobId, reason }, "cancelling the running sync");
        }
      } catch {
        // Not ours to read.
      }
    });
    return subscriber;
  }
}

const MAX_SEQ = `
local cur = tonumber(redis.call("HGET", KEYS[1], ARGV[1]) or "0")
if tonumber(ARGV[2]) > cur then redis.call("HSET", KEYS[1], ARGV[1], ARGV[2]) end
return 1`;

function asJobError(err: unknown, signal: AbortSignal, timeoutMs: number): Error {
  if (signal.aborted) return new UnrecoverableError(`sync stopped: ${abortReason(signal, timeoutMs)}`);
  // A transient error (an engine or the git remote unreachable) is retried with backoff; anything else is final.
  if (err instanceof DockhandError && err.transient) return err;
  if (err instanceof DockhandError) return new UnrecoverableError(err.message);
  return err instanceof Error ? err : new Error(String(err));
}

function abortReason(signal: AbortSignal, timeoutMs: number): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === "TimeoutError") return `timed out after ${timeoutMs} ms`;
  if (reason instanceof Error) return reason.message;
  return typeof reason === "string" ? reason : "cancelled";
}
