/**
 * One sync as the deploy history records it: begun, planned, step by step,
 * finished. Writes go out in order, one at a time, and never throw: a Redis
 * hiccup must not fail a deploy (the history reports it through onError).
 */
import { randomUUID } from "node:crypto";
import type { ChainableCommander, Redis } from "ioredis";
import {
  type AppLastOutcome,
  type AppOutcome,
  type AuditRecord,
  type CurrentDeploy,
  type DeployActor,
  type DeployOutcome,
  type DeployRecord,
  DockhandError,
  type Plan,
  planHasChanges,
  type SyncRecord,
} from "../../model/index.js";
import { planToJson } from "../../planner/index.js";
import type { StepEvent } from "../rollout/rollout-context.js";
import { DEPLOY_HISTORY_DEFAULTS } from "./deploy-history-defaults.js";

export type HistoryKeys = Record<
  "recent" | "current" | "last" | "syncs" | "totals" | "durations" | "audit" | "changed",
  string
>;

/** What a run needs of the history (the DeployHistory itself). */
export interface HistoryWriter {
  readonly redis: Redis;
  readonly keys: HistoryKeys;
  now(): number;
  onError(err: Error): void;
}

export interface DeployRunStart {
  env: string;
  actor: DeployActor;
  /** Known up front when the job names a commit. */
  sha?: string;
}

/** Steps kept on a running deploy: enough for any real plan, bounded for a runaway one. */
const MAX_STEPS = 500;

export class DeployRun {
  readonly id: string;
  private readonly state: CurrentDeploy;
  private plan: Plan | undefined;
  private writes: Promise<void> = Promise.resolve();
  private done = false;

  constructor(
    private readonly history: HistoryWriter,
    start: DeployRunStart,
    private readonly limits: { keepRecent: number; keepAudit: number },
  ) {
    const now = history.now();
    this.id = `${now}-${randomUUID().slice(0, 8)}`;
    this.state = {
      id: this.id,
      env: start.env,
      sha: start.sha,
      actor: start.actor,
      startedAt: now,
      updatedAt: now,
      steps: [],
    };
    this.writeCurrent();
  }

  get current(): CurrentDeploy {
    return structuredClone(this.state);
  }

  /** The plan about to be applied: names the commit and the apps that change; kept for the audit record. */
  planned(plan: Plan): void {
    this.plan = plan;
    this.state.sha = plan.source.sha;
    this.state.changing = plan.changes.filter((c) => c.kind !== "unchanged" || c.error).map((c) => c.app);
    this.writeCurrent();
  }

  step(event: StepEvent): void {
    if (this.state.steps.length >= MAX_STEPS) this.state.steps.shift();
    this.state.steps.push({ ...event, at: this.history.now() });
    this.writeCurrent();
  }

  /** Resolves once every write made so far has landed (or failed and been reported). */
  async flushed(): Promise<void> {
    await this.writes;
  }

  /** Records the outcome; resolves once everything is written. Returns the deploy record (undefined for a declined plan). */
  async finish(outcome: DeployOutcome): Promise<DeployRecord | undefined> {
    if (this.done) return undefined;
    this.done = true;
    const finishedAt = this.history.now();
    const record: DeployRecord = {
      id: this.id,
      env: this.state.env,
      sha: outcome.sha,
      actor: this.state.actor,
      startedAt: this.state.startedAt,
      finishedAt,
      durationMs: finishedAt - this.state.startedAt,
      status: outcome.status,
      outcome,
    };
    this.enqueue(() => this.writeFinished(record, outcome.declined === true));
    await this.writes;
    return outcome.declined ? undefined : record;
  }

  /** A sync that threw (the repo could not be read, a host was down): recorded as a failed deploy. */
  async failed(err: unknown): Promise<DeployRecord | undefined> {
    const code = err instanceof DockhandError ? err.code : "DOCKHAND_E_DOCKER";
    const message = err instanceof Error ? err.message : String(err);
    return this.finish({ sha: this.state.sha ?? "", status: "failed", apps: [], error: { code, message } });
  }

  private writeCurrent(): void {
    if (this.done) return;
    this.state.updatedAt = this.history.now();
    const text = JSON.stringify(this.state);
    this.enqueue(async () => {
      const { redis, keys } = this.history;
      await redis.multi().hset(keys.current, this.id, text).publish(keys.changed, this.id).exec();
    });
  }

  private enqueue(write: () => Promise<void>): void {
    this.writes = this.writes.then(write).catch((err: unknown) => {
      this.history.onError(err instanceof Error ? err : new Error(String(err)));
    });
  }

  private async writeFinished(record: DeployRecord, declined: boolean): Promise<void> {
    const { redis, keys } = this.history;
    const tx = redis.multi().hdel(keys.current, this.id);
    if (!declined) {
      const sync: SyncRecord = {
        env: record.env,
        sha: record.sha,
        status: record.status,
        finishedAt: record.finishedAt,
        ...(record.outcome.error ? { error: record.outcome.error } : {}),
      };
      tx.hset(keys.syncs, record.env, JSON.stringify(sync));
      const isDeploy = record.status !== "noop" || record.outcome.error !== undefined;
      if (isDeploy) {
        tx.lpush(keys.recent, JSON.stringify(record)).ltrim(keys.recent, 0, this.limits.keepRecent - 1);
      }
      for (const app of record.outcome.apps) if (app.status !== "noop") this.countApp(tx, record, app);
      if (this.plan && (planHasChanges(this.plan) || record.status === "failed")) {
        const audit: AuditRecord = { ...pick(record), at: record.finishedAt, plan: planToJson(this.plan) };
        tx.xadd(keys.audit, "MAXLEN", "~", this.limits.keepAudit, "*", "record", JSON.stringify(audit));
      }
    }
    await tx.publish(keys.changed, this.id).exec();
  }

  private countApp(tx: ChainableCommander, record: DeployRecord, app: AppOutcome): void {
    const { keys } = this.history;
    const key = `${app.env}/${app.app}`;
    const last: AppLastOutcome = {
      app: app.app,
      env: app.env,
      sha: record.sha,
      status: app.status,
      finishedAt: record.finishedAt,
      durationMs: app.durationMs,
      ...(app.failedStep ? { failedStep: app.failedStep } : {}),
      ...(app.error ? { error: app.error.message } : {}),
      ...(app.error?.logsTail ? { logsTail: app.error.logsTail } : {}),
    };
    tx.hset(keys.last, key, JSON.stringify(last));
    tx.hincrby(keys.totals, `${key}/${app.status}`, 1);
    const seconds = app.durationMs / 1000;
    for (const le of DEPLOY_HISTORY_DEFAULTS.durationBuckets) {
      if (seconds <= le) tx.hincrby(keys.durations, `${key}|${le}`, 1);
    }
    tx.hincrby(keys.durations, `${key}|+Inf`, 1);
    tx.hincrby(keys.durations, `${key}|count`, 1);
    tx.hincrbyfloat(keys.durations, `${key}|sum`, seconds);
  }
}

function pick(record: DeployRecord): Omit<AuditRecord, "at" | "plan"> {
  const { id, env, sha, actor, status, outcome } = record;
  return { id, env, sha, actor, status, outcome };
}
