/**
 * A promotion asked for by a person (`manual: true`, or not waiting for
 * `after`): `dockhand promote <env>`, `POST /api/environments/<env>/promote`.
 * It promotes the commit the source environment runs now, and only when that
 * commit would pass the same proof as a timed promotion, minus the wait: a
 * person may skip the clock, never a failure or an unhealthy container.
 */
import { DockhandError, type EnvironmentSpec, type PromotionJob } from "../../model/index.js";
import { proofOf } from "./promotion-proof.js";
import { gatherProof, type PromotionDeps } from "./promotion-worker.js";

export interface PromoteNowDeps extends Omit<PromotionDeps, "connection" | "prefix" | "log"> {
  environments: { list(): Promise<EnvironmentSpec[]> };
  /** The last commit scheduled or offered for `env`, with the source commits its apps were built from. */
  candidate?: (env: string) => Promise<PromotionJob | undefined>;
}

export interface Promoted {
  env: string;
  from: string;
  sha: string;
  jobId: string;
  /** `duplicate`: this promotion was already asked for (by the timer or a person); that job runs it. */
  status: "queued" | "duplicate";
}

export async function promoteNow(env: string, deps: PromoteNowDeps): Promise<Promoted> {
  const environments = await deps.environments.list();
  const target = environments.find((e) => e.name === env);
  const names = environments.map((e) => e.name).join(", ");
  if (!target) throw new DockhandError("DOCKHAND_E_NOT_FOUND", `no environment ${env} (the deploy repo has ${names})`);
  if (!target.promote)
    throw new DockhandError(
      "DOCKHAND_E_USAGE",
      `${env} follows the branch: every push deploys to it, so there is nothing to promote`,
    );
  const from = target.promote.from;
  const applied = await deps.applied.get(from);
  if (!applied)
    throw new DockhandError("DOCKHAND_E_PROMOTION", `${from} has not deployed anything yet: nothing to promote`);
  const proof = proofOf(await gatherProof({ from, sha: applied.sha, afterMs: 0 }, deps));
  if (proof.verdict !== "proved") {
    const why = proof.verdict === "wait" ? proof.progress : proof.reason;
    throw new DockhandError("DOCKHAND_E_PROMOTION", `${applied.sha.slice(0, 12)} cannot be promoted to ${env}: ${why}`);
  }
  const candidate = await deps.candidate?.(env);
  const pins = candidate?.sha === applied.sha ? candidate.pins : undefined;
  const sha = applied.sha;
  const queued = await deps.enqueueSync(
    { trigger: "promote", env, sha, ...(pins ? { pins } : {}) },
    `promote-${env}-${sha}`,
  );
  const { jobId = "", status = "queued" } = (queued ?? {}) as Partial<Pick<Promoted, "jobId" | "status">>;
  return { env, from, sha, jobId, status };
}
