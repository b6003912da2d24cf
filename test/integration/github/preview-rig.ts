/**
 * The real parts pull request previews run on, shared by the preview tests
 * and the preview attacks (test/security): a deploy repo in a bare git remote
 * (deploy-repo-example), its source repositories read through their own
 * mirrors, the test bed engines, Redis, the built-in proxy, the status
 * branch and the fake GitHub. Pull request jobs come from real webhook
 * payloads through the real classifier.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { createDockerHosts } from "../../../src/docker/index.js";
import { GitRepo, SourceRepositories, StatusBranch, StatusBranchReporter } from "../../../src/git/index.js";
import { COMMENT_MARKER, GitHubDeployReporter, GitHubPullRequestReporter } from "../../../src/github/index.js";
import type { DeployOutcome, HostSpec, ObservedContainer, SyncJob } from "../../../src/model/index.js";
import { BuiltinProxy, RedisRouteStore, serveRoutes } from "../../../src/proxy/index.js";
import { classifyEvent } from "../../../src/webhook/classify-event.js";
import { pullRequestJob } from "../../../src/worker/previews/pull-request-job.js";
import { RedisPreviewRegistry } from "../../../src/worker/previews/redis-preview-registry.js";
import { runPullRequest } from "../../../src/worker/previews/run-pull-request.js";
import { fanOutReporters } from "../../../src/worker/sync/report-sync.js";
import type { SyncDeps } from "../../../src/worker/sync/run-sync.js";
import { SourceReadingRepo } from "../../../src/worker/sync/source-reading-repo.js";
import { createDeployRepo, git, type TestDeployRepo } from "../../support/deploy-repo.js";
import { pullRequestPayload } from "../../support/github-webhook.js";
import { testbed } from "../../support/testbed.js";
import { removeInstance } from "../rollout/rollout-fixtures.js";
import { type GitHubRig, quietLog, startRig } from "./github-fixtures.js";

export const PREVIEW_REPOSITORY = "acme/deploy";

export interface PreviewEventOptions {
  fork?: boolean;
  merged?: boolean;
  labels?: string[];
  label?: string;
}

export interface PreviewRig {
  repo: TestDeployRepo;
  github: GitHubRig;
  redis: Redis;
  routes: RedisRouteStore;
  proxyPort: number;
  deps: SyncDeps;
  instance: string;
  prefix: string;
  /** Where the mirrors of the deploy repo and its source repositories live. */
  cache: string;
  /** Branches `branch` from main, lets `edit` change the work tree, commits and pushes it; returns the head sha. */
  pushBranch(branch: string, edit: (work: string) => void, message?: string): string;
  /** The job a real `pull_request` payload of `action` becomes, through the real classifier. */
  prEvent(action: string, number: number, sha: string, over?: PreviewEventOptions): SyncJob;
  run(job: SyncJob): Promise<DeployOutcome>;
  /** dockhand's comment on the PR. */
  comment(number: number): string;
  /** Running containers of `env`; with `all`, stopped and retired ones too. */
  containers(env: string, all?: boolean): Promise<ObservedContainer[]>;
  close(): Promise<void>;
}

export interface PreviewRigOptions {
  /** Changes the deploy repo's first commit (the tracked branch). */
  tweak?: (work: string) => void;
  /** Further deps (secrets, known hosts). */
  deps?: Partial<SyncDeps>;
}

/** The test bed's two engines as deploy-repo-example names them. */
export function exampleHosts(): HostSpec[] {
  const bed = testbed();
  return [
    { name: "alpha", docker: bed.alpha, address: "127.0.0.1", bind: "127.0.0.1", capacity: 20, labels: {} },
    {
      name: "beta",
      docker: bed.beta,
      tls: { ca: `${bed.betaCerts}/ca.pem`, cert: `${bed.betaCerts}/cert.pem`, key: `${bed.betaCerts}/key.pem` },
      address: "127.0.0.2",
      bind: "127.0.0.2",
      capacity: 20,
      labels: {},
    },
  ];
}

export async function startPreviewRig(options: PreviewRigOptions = {}): Promise<PreviewRig> {
  const instance = `t${randomBytes(3).toString("hex")}`;
  const prefix = `dockhand:${instance}:`;
  const repo = createDeployRepo(options.tweak);
  const cache = mkdtempSync(join(tmpdir(), "dockhand-previews-"));
  // The fake keeps real time (JWTs are signed with it); dockhand's clock jumps ahead for the TTL.
  const github = await startRig("app", { fake: { now: Date.now } });
  const redis = new Redis(testbed().redisUrl, { maxRetriesPerRequest: null });
  const routes = new RedisRouteStore({ redis: redis.duplicate(), prefix });
  const proxy = new BuiltinProxy({ listen: { host: "127.0.0.1", port: 0 }, log: quietLog });
  const proxyPort = (await proxy.start()).port;
  const stopServing = await serveRoutes(proxy, routes, { log: quietLog });
  const status = new StatusBranchReporter(new StatusBranch({ url: repo.remote, cacheDir: cache }));
  const checks = new GitHubDeployReporter({ client: github.client, repository: PREVIEW_REPOSITORY, log: quietLog });
  const deployRepo = new GitRepo({ url: repo.remote, cacheDir: cache });
  const deps: SyncDeps = {
    repo: new SourceReadingRepo(deployRepo, new SourceRepositories(cache)),
    dockerFor: (hosts) => createDockerHosts(hosts),
    routes,
    instance,
    log: quietLog,
    reporter: fanOutReporters([checks, status]),
    teardownReporter: status,
    pullRequests: new GitHubPullRequestReporter({ client: github.client, log: quietLog }),
    previews: new RedisPreviewRegistry(redis, prefix),
    previewScheme: "http",
    now: () => github.clock.now,
    ...options.deps,
  };
  return {
    repo,
    github,
    redis,
    routes,
    proxyPort,
    deps,
    instance,
    prefix,
    cache,
    pushBranch(branch, edit, message = `change ${branch}`) {
      git(repo.work, "checkout", "--quiet", "-B", branch, "main");
      edit(repo.work);
      git(repo.work, "add", "-A");
      git(repo.work, "commit", "--quiet", "-m", message);
      git(repo.work, "push", "--quiet", "--force", "origin", branch);
      const sha = git(repo.work, "rev-parse", "HEAD");
      git(repo.work, "checkout", "--quiet", "main");
      return sha;
    },
    prEvent(action, number, sha, over = {}) {
      const payload = pullRequestPayload(action, {
        repository: PREVIEW_REPOSITORY,
        number,
        sha,
        headRef: `pr-${number}`,
        headRepository: over.fork ? "stranger/deploy" : PREVIEW_REPOSITORY,
        base: "main",
        merged: over.merged ?? false,
        installationId: 77,
        ...(over.labels ? { labels: over.labels } : {}),
        ...(over.label ? { label: over.label } : {}),
      });
      const context = { repository: PREVIEW_REPOSITORY, branch: "main", delivery: "d" };
      const decision = classifyEvent("pull_request", payload, context);
      if (decision.action !== "preview") throw new Error(`not a preview request: ${JSON.stringify(decision)}`);
      return pullRequestJob(decision.request, PREVIEW_REPOSITORY, "main");
    },
    run: (job) => runPullRequest(job, deps),
    comment(number) {
      const ours = github.fake.resources.comments.find((c) => c.issue === number && c.body.startsWith(COMMENT_MARKER));
      return ours?.body ?? "";
    },
    async containers(env, all = false) {
      const docker = createDockerHosts(exampleHosts());
      try {
        const observed = (await docker.observe(instance)).hosts.flatMap((h) => h.containers);
        return observed.filter((c) => c.env === env && (all || c.state === "running"));
      } finally {
        await docker.close();
      }
    },
    async close() {
      await removeInstance(instance);
      await stopServing();
      await proxy.stop();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await routes.close();
      redis.disconnect();
      await github.fake.close();
      rmSync(repo.root, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
    },
  };
}

/** A file of the status branch in the bare remote. */
export function statusFile(remote: string, path: string): string {
  return execFileSync("git", ["show", `dockhand-status:${path}`], { cwd: remote, encoding: "utf8" });
}
