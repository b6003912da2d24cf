/**
 * Reporting for serve and worker (issue 7), wired in one place: GitHub checks,
 * the PR comment and deployments (from GITHUB_APP_ID / GITHUB_APP_PRIVATE_KEY
 * or GITHUB_TOKEN, and GITHUB_API_URL), the status branch (for a deploy repo
 * read through git), the live previews in Redis, and their reaper.
 */
import { join } from "node:path";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { GitRepo, StatusBranch, StatusBranchReporter } from "../git/index.js";
import { createGitHubReporting } from "../github/index.js";
import type { RepoPort, SyncJob } from "../model/index.js";
import { startPreviewReaper } from "../worker/previews/preview-reaper.js";
import { RedisPreviewRegistry } from "../worker/previews/redis-preview-registry.js";
import { fanOutReporters } from "../worker/sync/report-sync.js";
import type { SyncDeps } from "../worker/sync/run-sync.js";
import { SourceReadingRepo } from "../worker/sync/source-reading-repo.js";
import type { DockhandEnv } from "./env.js";
import { redisPrefix } from "./redis-for.js";

export interface Reporting {
  /** Spread into SyncDeps. */
  deps: Pick<SyncDeps, "reporter" | "teardownReporter" | "pullRequests" | "previews">;
  /** Starts expiring idle previews through `enqueue`; returns the stop. */
  startReaper(enqueue: (job: SyncJob, requestId: string) => Promise<unknown>): () => void;
}

/** `redis` is borrowed: the caller closes it. */
export function reportingFor(
  env: DockhandEnv,
  log: Logger,
  repo: RepoPort,
  redis: Redis,
  processEnv = process.env,
): Reporting {
  const github = env.githubRepo
    ? createGitHubReporting({ env: processEnv, repository: env.githubRepo, log })
    : undefined;
  const deployRepo = repo instanceof SourceReadingRepo ? repo.deployRepo : repo;
  const status =
    deployRepo instanceof GitRepo
      ? new StatusBranchReporter(new StatusBranch({ url: deployRepo.url, cacheDir: join(env.stateDir, "git") }))
      : undefined;
  if (github && env.githubRepo) {
    // Said at start, not on the first deploy; GitHub being down must not stop dockhand, so only logged.
    github.client.check(env.githubRepo).catch((err: unknown) => {
      log.error(
        { err: err instanceof Error ? err.message : String(err) },
        "GitHub does not take dockhand's credentials",
      );
    });
  }
  const previews = new RedisPreviewRegistry(redis, redisPrefix(env));
  const reporter = fanOutReporters([github?.deploys, status]);
  return {
    deps: {
      ...(reporter ? { reporter } : {}),
      ...(status ? { teardownReporter: status } : {}),
      ...(github ? { pullRequests: github.pullRequests } : {}),
      previews,
    },
    startReaper: (enqueue) =>
      startPreviewReaper({ registry: previews, enqueue, log: log.child({ component: "previews" }) }),
  };
}
