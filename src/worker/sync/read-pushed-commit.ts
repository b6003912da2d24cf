/**
 * Reads the commit a sync deploys, refusing one a push may not deploy. A
 * webhook's push names its commit in the body, and nothing but the branch
 * may say what the branch holds: the commit must be the tracked branch's
 * head or reachable from it (checked after the fetch), and a push to an
 * app's source repository must name a commit of the branch its apps build
 * from. Operators (`dockhand apply --ref`, the admin API) may name any
 * commit, and a pull request's job deploys its head to its own preview
 * environment (docs/operations.md#git-mirrors).
 */
import type { Logger } from "pino";
import {
  type DeployOutcome,
  DockhandError,
  ownerAndName,
  type RepoPort,
  type RepoSnapshot,
  type SourcePush,
  type SourceSnapshot,
  type SyncJob,
  type SyncTrigger,
} from "../../model/index.js";
import { pinsOf } from "./source-reading-repo.js";

/** Triggers whose commit comes from someone trusted with the hosts, not from a webhook body. */
const OPERATOR_TRIGGERS: ReadonlySet<SyncTrigger> = new Set(["cli", "api"]);

const ONLY_BRANCH = "a push deploys only the branch's head or a commit it holds";

export type PushedCommit = { snapshot: RepoSnapshot } | { refused: DeployOutcome };

export async function readPushedCommit(job: SyncJob, repo: RepoPort, log: Logger): Promise<PushedCommit> {
  const checked = !job.pullRequest && !OPERATOR_TRIGGERS.has(job.trigger);
  const refuse = (sha: string, reason: string): PushedCommit => {
    log.error({ code: "DOCKHAND_E_UNTRUSTED_REF", sha, trigger: job.trigger, reason }, "sync refused");
    // No report goes to GitHub: a check run or deployment would be written on a commit nobody may deploy.
    return {
      refused: { sha, status: "failed", apps: [], error: { code: "DOCKHAND_E_UNTRUSTED_REF", message: reason } },
    };
  };
  if (checked && job.sha !== undefined) {
    const reason = await notOnBranch(repo, job.sha);
    if (reason) return refuse(job.sha, reason);
  }
  const pins = pinsOf(job.pullRequest) ?? (job.pins ? new Map(Object.entries(job.pins)) : undefined);
  const snapshot = await repo.snapshot(job.sha, pins);
  if (checked && job.source) {
    const reason = await notOnSourceBranch(repo, snapshot, job.source);
    if (reason) return refuse(job.source.sha, reason);
  }
  return { snapshot };
}

/** Why `sha` is not on the tracked branch, or undefined when it is. A repo without history reads no commit at all. */
async function notOnBranch(repo: RepoPort, sha: string): Promise<string | undefined> {
  if (!repo.head || !repo.isAncestor) return undefined;
  const head = await repo.head();
  if (sha === head || (await reachable(() => repo.isAncestor?.(sha, head)))) return undefined;
  const branch = repo.branch ? `the tracked branch ${repo.branch}` : "the tracked branch";
  return `commit ${sha} is not on ${branch} (head ${head.slice(0, 12)}): ${ONLY_BRANCH}`;
}

/**
 * Why a source push's commit is on none of the branches this sync read from
 * that repository. When the sync reads nothing of it (no app builds from it
 * any more, or it could not be fetched), nothing of the push is deployed.
 */
async function notOnSourceBranch(
  repo: RepoPort,
  snapshot: RepoSnapshot,
  push: SourcePush,
): Promise<string | undefined> {
  const read = Object.values(snapshot.sources ?? {}).filter(
    (s): s is SourceSnapshot =>
      "sha" in s && s.branch === push.branch && ownerAndName(s.url) === push.repository.toLowerCase(),
  );
  for (const source of read) {
    const holds =
      source.sha === push.sha || (await reachable(() => repo.sources?.isAncestor(source.url, push.sha, source.sha)));
    if (!holds) {
      const where = `branch ${source.branch} of ${push.repository} (head ${source.sha.slice(0, 12)})`;
      return `commit ${push.sha} is not on ${where}, which its apps build from: ${ONLY_BRANCH}`;
    }
  }
  return undefined;
}

/** A commit the mirror lacks even after a fetch is on no branch; a fetch that failed is the sync's to retry. */
async function reachable(isAncestor: () => Promise<boolean | undefined> | undefined): Promise<boolean> {
  try {
    return (await isAncestor()) === true;
  } catch (err) {
    if (err instanceof DockhandError && !err.transient) return false;
    throw err;
  }
}
