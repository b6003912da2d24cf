/**
 * The reports of one sync, in order (started ─▶ planned ─▶ finished), off
 * the sync's critical path: GitHub writes are paced, so started and planned
 * are queued without waiting and only the end waits for all of them. A
 * reporter that throws is logged, never fails the sync (issue 7).
 */
import type { Logger } from "pino";
import {
  type DeployOutcome,
  type DeployReporter,
  type DesiredState,
  DockhandError,
  type FinishedSync,
  type ObservedState,
  type Plan,
  type PlannedSync,
  type SyncJob,
  type SyncReportContext,
} from "../../model/index.js";
import { renderPlanMarkdown } from "../../planner/index.js";

export class SyncReports {
  private chain: Promise<void> = Promise.resolve();
  private readonly ctx: SyncReportContext;
  private planned?: PlannedSync;
  private readonly now: () => number;

  constructor(
    private readonly reporter: DeployReporter | undefined,
    job: SyncJob,
    sha: string,
    private readonly log: Logger,
    now: () => number = Date.now,
  ) {
    this.ctx = { env: job.env, sha, trigger: job.trigger, startedAt: now(), ...installation(job) };
    this.now = now;
    this.queue("started", (r) => r.started(this.ctx));
  }

  plan(plan: Plan, desired: DesiredState): void {
    const planned = { plan, desired, markdown: renderPlanMarkdown(plan) };
    this.planned = planned;
    this.queue("planned", (r) => r.planned(this.ctx, planned));
  }

  /** Reports the outcome (with what runs now, when `observe` is given and something changed), then returns it. */
  async finish(outcome: DeployOutcome, observe?: () => Promise<ObservedState>): Promise<DeployOutcome> {
    if (!this.reporter) return outcome;
    let observed: ObservedState | undefined;
    if (observe && outcome.status !== "noop") {
      observed = await observe().catch((err: unknown) => {
        this.log.warn({ err: String(err) }, "could not observe the hosts for the report");
        return undefined;
      });
    }
    const finished: FinishedSync = {
      outcome,
      finishedAt: this.now(),
      ...(this.planned ? { planned: this.planned } : {}),
      ...(observed ? { observed } : {}),
    };
    this.queue("finished", (r) => r.finished(this.ctx, finished));
    await this.chain;
    return outcome;
  }

  /** A sync that threw: reported as failed (a retry that succeeds reports again). */
  async failed(err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    const code = err instanceof DockhandError ? err.code : "DOCKHAND_E_DOCKER";
    await this.finish({ sha: this.ctx.sha, status: "failed", apps: [], error: { code, message } });
  }

  private queue(what: string, call: (reporter: DeployReporter) => Promise<void>): void {
    const reporter = this.reporter;
    if (!reporter) return;
    this.chain = this.chain.then(() =>
      call(reporter).catch((err: unknown) => {
        this.log.warn({ err: err instanceof Error ? err.message : String(err), report: what }, "report failed");
      }),
    );
  }
}

function installation(job: SyncJob): { installationId?: number } {
  return job.installationId === undefined ? {} : { installationId: job.installationId };
}

/** One reporter that tells each of `reporters`, one after another; undefined for none. */
export function fanOutReporters(reporters: Array<DeployReporter | undefined>): DeployReporter | undefined {
  const all = reporters.filter((r): r is DeployReporter => r !== undefined);
  if (all.length <= 1) return all[0];
  return {
    started: async (ctx) => settle(all.map((r) => r.started(ctx))),
    planned: async (ctx, planned) => settle(all.map((r) => r.planned(ctx, planned))),
    finished: async (ctx, finished) => settle(all.map((r) => r.finished(ctx, finished))),
  };
}

/** Every reporter runs; the first failure is thrown after all are done. */
async function settle(calls: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(calls);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}
