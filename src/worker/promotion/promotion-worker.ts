/**
 * The consumer side of promotions (issue 15). When a promotion job is due it
 * looks at the source environment as it is now (its last full sync, its
 * recorded failures, its containers on every host) and either queues the
 * sync that promotes the commit, asks again later, or drops the commit with
 * the reason. What it decided is kept per environment for status and reports.
 */
import { DelayedError, type Job, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import {
  type DockerPort,
  type FailedSpecs,
  type HostSpec,
  type KnownHosts,
  type PromotionJob,
  QUEUE_NAMES,
  type SyncJob,
} from "../../model/index.js";
import type { AppliedState } from "../queue/applied-state.js";
import { type Proof, type ProofInput, proofOf } from "./promotion-proof.js";

export interface PromotionDeps {
  connection: Redis;
  prefix: string;
  instance: string;
  applied: Pick<AppliedState, "get">;
  failedSpecs?: Pick<FailedSpecs, "get">;
  knownHosts?: Pick<KnownHosts, "load">;
  dockerFor: (hosts: HostSpec[]) => DockerPort;
  enqueueSync: (job: SyncJob, requestId: string) => Promise<unknown>;
  log: Logger;
  now?: () => number;
}

/** What the last look at a promotion found, per environment (`dockhand status`, the API). */
export interface PromotionState {
  env: string;
  from: string;
  sha: string;
  verdict: Proof["verdict"];
  /** Why it waits, was dropped or was blocked. */
  reason?: string;
  at: number;
}

export function promotionStateKey(prefix: string): string {
  return `${prefix}:${QUEUE_NAMES.promote}-state`;
}

export class PromotionWorker {
  readonly worker: Worker<PromotionJob, Proof>;

  constructor(private readonly deps: PromotionDeps) {
    this.worker = new Worker<PromotionJob, Proof>(QUEUE_NAMES.promote, (job, token) => this.process(job, token ?? ""), {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: 1,
    });
    this.worker.on("error", (err) => deps.log.error({ err: err.message }, "promotion worker error"));
  }

  private async process(job: Job<PromotionJob, Proof>, token: string): Promise<Proof> {
    const data = job.data;
    const proof = proofOf(await gatherProof(data, this.deps));
    const log = this.deps.log.child({ promote: data.env, from: data.from, sha: data.sha.slice(0, 12) });
    await this.remember(data, proof);
    if (proof.verdict === "wait") {
      log.info({ progress: proof.progress, inMs: proof.inMs }, "promotion waits");
      await job.moveToDelayed((this.deps.now ?? Date.now)() + proof.inMs, token);
      throw new DelayedError();
    }
    if (proof.verdict === "proved") {
      const { env, sha, pins } = data;
      await this.deps.enqueueSync({ trigger: "promote", env, sha, ...(pins ? { pins } : {}) }, `promote-${env}-${sha}`);
      log.info("promotion queued");
    } else {
      log.warn({ verdict: proof.verdict, reason: proof.reason }, "commit not promoted");
    }
    return proof;
  }

  private async remember(job: PromotionJob, proof: Proof): Promise<void> {
    const reason = "reason" in proof ? proof.reason : proof.verdict === "wait" ? proof.progress : undefined;
    const state: PromotionState = {
      env: job.env,
      from: job.from,
      sha: job.sha,
      verdict: proof.verdict,
      ...(reason ? { reason } : {}),
      at: (this.deps.now ?? Date.now)(),
    };
    await this.deps.connection.hset(promotionStateKey(this.deps.prefix), job.env, JSON.stringify(state));
  }

  async close(): Promise<void> {
    await this.worker.close();
  }
}

/** The source environment as it is now, for proofOf. */
export async function gatherProof(
  job: Pick<PromotionJob, "from" | "sha" | "afterMs">,
  deps: Omit<PromotionDeps, "connection" | "prefix" | "enqueueSync" | "log">,
): Promise<ProofInput> {
  const applied = await deps.applied.get(job.from);
  const now = (deps.now ?? Date.now)();
  const docker = deps.dockerFor((await deps.knownHosts?.load()) ?? []);
  try {
    const observed = await docker.observe(deps.instance);
    const live = observed.hosts.flatMap((h) =>
      h.reachable ? h.containers.filter((c) => c.env === job.from && c.retiredAt === undefined) : [],
    );
    const containers = await Promise.all(
      live.map(async (container) => ({
        container,
        starts: (await docker.started?.(container.host, container.id)) ?? { startedAt: 0, restarts: 0 },
      })),
    );
    const apps = [...new Set(live.map((c) => c.app))];
    const failures = (await Promise.all(apps.map((app) => deps.failedSpecs?.get(job.from, app)))).flatMap((f) =>
      f ? [f] : [],
    );
    const unreachable = observed.hosts.filter((h) => !h.reachable).map((h) => h.name);
    return { job, applied, now, failures, containers, unreachable };
  } finally {
    await docker.close();
  }
}
