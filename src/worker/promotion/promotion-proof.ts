/**
 * Whether an environment proved a commit (issue 15): it still runs that
 * commit as its last full sync, has for at least `after`, no rollout of that
 * commit failed, and every one of its containers is running, not
 * unhealthy, and has not been restarted or started again since the sync.
 * Pure, so each answer is a table row in the unit tests.
 */
import type { ContainerStarts, FailedSpec, ObservedContainer, PromotionJob } from "../../model/index.js";

export interface ProofInput {
  job: Pick<PromotionJob, "from" | "sha" | "afterMs">;
  /** The source environment's last full sync. */
  applied: { sha: string; at: number } | undefined;
  now: number;
  /** The source environment's recorded rollout failures. */
  failures: FailedSpec[];
  /** The source environment's live containers (not retired), with when each last started. */
  containers: Array<{ container: ObservedContainer; starts: ContainerStarts }>;
  /** Hosts that could not be observed: their containers cannot vouch for the commit. */
  unreachable: string[];
}

export type Proof =
  | { verdict: "proved" }
  /** Not yet: ask again in `inMs`; `progress` says how far it got ("6 of 10 minutes healthy"). */
  | { verdict: "wait"; inMs: number; progress: string }
  /** `from` moved to another commit (its own promotion follows) or never finished this one. */
  | { verdict: "superseded"; reason: string }
  /** `from` failed with this commit: it is never promoted. */
  | { verdict: "blocked"; reason: string };

export function proofOf(input: ProofInput): Proof {
  const { job, applied, now } = input;
  if (applied?.sha !== job.sha) {
    const runs = applied ? `runs ${applied.sha.slice(0, 12)}` : "has applied nothing";
    return { verdict: "superseded", reason: `${job.from} ${runs}, not ${job.sha.slice(0, 12)}` };
  }
  const failed = input.failures.find((f) => f.commit === job.sha);
  if (failed) {
    const reason = `${failed.app} failed in ${job.from} at ${failed.commit.slice(0, 12)}: ${failed.message}`;
    return { verdict: "blocked", reason };
  }
  if (input.unreachable.length > 0) {
    const reason = `cannot see ${job.from} on ${input.unreachable.join(", ")}`;
    return { verdict: "wait", inMs: Math.min(job.afterMs, 30_000), progress: reason };
  }
  for (const { container: c, starts } of input.containers) {
    const name = `${c.app} slot ${c.slot} on ${c.host}`;
    if (c.state !== "running" || c.health === "unhealthy")
      return {
        verdict: "blocked",
        reason: `${name} is ${c.state === "running" ? "unhealthy" : c.state} in ${job.from}`,
      };
    if (starts.restarts > 0 || starts.startedAt > applied.at)
      return { verdict: "blocked", reason: `${name} restarted in ${job.from} after the deploy` };
  }
  const healthyMs = now - applied.at;
  if (healthyMs >= job.afterMs) return { verdict: "proved" };
  return {
    verdict: "wait",
    inMs: job.afterMs - healthyMs,
    progress: `waiting for ${job.from}: ${minutes(healthyMs)} of ${minutes(job.afterMs)} healthy`,
  };
}

function minutes(ms: number): string {
  if (ms < 60_000) return `${Math.floor(ms / 1000)} s`;
  return `${Math.floor(ms / 60_000)} min`;
}
