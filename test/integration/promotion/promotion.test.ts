/**
 * Staging and production from one deploy repo, on the real things (issue 15):
 * a real git remote, the test bed's Redis and both engines, the sync worker
 * and the promotion worker as serve runs them. A push reaches staging at
 * once and production only after staging ran it healthy for `after`; a
 * commit staging failed never reaches production; a restart during the wait
 * resumes it; a manual promotion goes through the admin API.
 */
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRoutes } from "../../../src/api/index.js";
import { createDockerHosts } from "../../../src/docker/index.js";
import { AdminAuth } from "../../../src/http/index.js";
import { type HostSpec, QUEUE_NAMES, type SyncJob } from "../../../src/model/index.js";
import { promoteNow } from "../../../src/worker/promotion/promote-now.js";
import { PromotionQueue } from "../../../src/worker/promotion/promotion-queue.js";
import { PromotionWorker } from "../../../src/worker/promotion/promotion-worker.js";
import { AppliedState } from "../../../src/worker/queue/applied-state.js";
import { SyncWorker } from "../../../src/worker/queue/sync-worker.js";
import { RedisFailedSpecs } from "../../../src/worker/sync/failed-specs.js";
import { RedisKnownHosts } from "../../../src/worker/sync/known-hosts.js";
import { PublishedEnvironments } from "../../../src/worker/sync/published-environments.js";
import type { TestDeployRepo } from "../../support/deploy-repo.js";
import { runCli } from "../../support/dockhand-process.js";
import { testbed } from "../../support/testbed.js";
import { waitFor } from "../../support/wait-for.js";
import {
  cleanUp,
  connect,
  containersOf,
  finished,
  type Harness,
  pushGreeting,
  smallRepo,
  startHarness,
  testbedDocker,
} from "../queue/queue-fixtures.js";

const AFTER_MS = 3_000;
const docker = testbedDocker();
let repo: TestDeployRepo;
let h: Harness;
let promotions: PromotionQueue;
let promoter: PromotionWorker;
let extraWorker: SyncWorker;

function promotionDeps() {
  const url = testbed().redisUrl;
  const redis = connect(url);
  const installPrefix = `dockhand:${h.instance}:`;
  return {
    redis,
    installPrefix,
    applied: new AppliedState(redis, `${h.prefix}:${QUEUE_NAMES.sync}-state:`),
    environments: new PublishedEnvironments(redis, installPrefix),
    failedSpecs: new RedisFailedSpecs(redis, installPrefix),
    knownHosts: new RedisKnownHosts(redis, installPrefix),
  };
}

let deps: ReturnType<typeof promotionDeps>;

/** What a proof reads and where a proved commit is queued, as src/runtime/promotions.ts wires them. */
function proofDeps() {
  return {
    instance: h.instance,
    applied: deps.applied,
    failedSpecs: deps.failedSpecs,
    knownHosts: deps.knownHosts,
    dockerFor: (hosts: HostSpec[]) => createDockerHosts(hosts),
    enqueueSync: (job: SyncJob, requestId: string) => h.queue.enqueue(job, requestId),
  };
}

function startPromoter(): PromotionWorker {
  return new PromotionWorker({ ...proofDeps(), connection: connect(testbed().redisUrl), prefix: h.prefix, log: h.log });
}

/** Running, not retired containers of web in `env`: their commits and hosts. */
async function web(env: string): Promise<{ commits: string[]; hosts: string[] }> {
  const all = (await containersOf(docker, h.instance)).filter(
    (c) => c.app === "web" && c.env === env && c.retiredAt === undefined && c.state === "running",
  );
  return { commits: [...new Set(all.map((c) => c.commit))], hosts: all.map((c) => c.host).sort() };
}

/** Every web container production ever ran (retired ones keep their commit). */
async function productionCommits(): Promise<string[]> {
  const all = (await containersOf(docker, h.instance)).filter((c) => c.app === "web" && c.env === "production");
  return [...new Set(all.map((c) => c.commit))];
}

async function appliedAt(env: string, sha: string): Promise<number> {
  return waitFor(
    `${env} to apply ${sha.slice(0, 12)}`,
    async () => {
      const applied = await deps.applied.get(env);
      return applied?.sha === sha ? applied.at : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 100 },
  );
}

beforeAll(async () => {
  repo = smallRepo({ replicas: 2, within: "10s" });
  repo.edit(
    "dockhand.yaml",
    (t) => `${t}environments:\n  staging: {}\n  production:\n    promote: { from: staging, after: 3s }\n`,
  );
  repo.edit(
    "apps/web.yaml",
    (t) =>
      `${t}environments:\n  staging: { replicas: 1, hostnames: [staging.web.localhost], placement: { hosts: [alpha] } }\n`,
  );
  repo.push("staging and production");
  h = await startHarness(repo.remote, { noWorker: true });
  deps = promotionDeps();
  promotions = new PromotionQueue(connect(testbed().redisUrl), h.prefix);
  extraWorker = new SyncWorker({
    connection: connect(testbed().redisUrl),
    prefix: h.prefix,
    log: h.log,
    deps: {
      repo: h.repo,
      routes: h.routes,
      instance: h.instance,
      log: h.log,
      dockerFor: (hosts) => createDockerHosts(hosts),
      failedSpecs: deps.failedSpecs,
      knownHosts: deps.knownHosts,
      environments: deps.environments,
      appliedSha: async (env) => (await deps.applied.get(env))?.sha,
      enqueueSync: (job) => h.queue.enqueue(job),
      promotions,
    },
  });
  promoter = startPromoter();
}, 180_000);

afterAll(async () => {
  await promoter?.close();
  await extraWorker?.stop(0);
  await promotions?.close();
  await h?.close();
  deps?.redis.disconnect();
  await cleanUp(h.instance, docker);
  await docker.close();
});

describe("staging, then production once staging proved the commit", () => {
  it("a push reaches staging at once, production only after staging ran it healthy for `after`", async () => {
    const sha = pushGreeting(repo, "first");
    // As the webhook does: a push names production, which follows staging; the commit goes to staging.
    await h.queue.enqueue({ trigger: "push", env: "production", sha });
    const stagedAt = await appliedAt("staging", sha);
    expect(await web("staging")).toEqual({ commits: [sha], hosts: ["alpha"] });
    expect((await web("production")).commits).not.toContain(sha);

    const promotedAt = await appliedAt("production", sha);
    expect(promotedAt - stagedAt).toBeGreaterThanOrEqual(AFTER_MS);
    const production = await web("production");
    expect(production.commits).toEqual([sha]);
    expect(production.hosts).toEqual(["alpha", "beta"]);
    expect(await deps.environments.list()).toEqual([
      { name: "staging" },
      { name: "production", promote: { from: "staging", afterMs: AFTER_MS } },
    ]);
  });

  it("a restart heals production at the commit it runs", async () => {
    const promoted = (await deps.applied.get("production"))?.sha as string;
    const [gone] = (await containersOf(docker, h.instance)).filter(
      (c) => c.app === "web" && c.env === "production" && c.state === "running",
    );
    await docker.remove(gone?.host ?? "", gone?.id ?? "");
    await h.queue.enqueue({ trigger: "startup", env: "production" });
    await waitFor("production to run two replicas again", async () => (await web("production")).hosts.length === 2, {
      timeoutMs: 60_000,
    });
    expect((await deps.applied.get("production"))?.sha).toBe(promoted);
    expect((await web("production")).commits).toEqual([promoted]);
  });

  it("never promotes a commit staging failed, and promotes the next good one", async () => {
    const before = (await deps.applied.get("production"))?.sha;
    // A new container (new greeting) whose health check cannot pass: staging rolls back.
    repo.edit("apps/web.yaml", (t) => t.replace("path: /healthz", "path: /missing"));
    const bad = pushGreeting(repo, "never-healthy");
    const { jobId } = await h.queue.enqueue({ trigger: "push", env: "staging", sha: bad });
    expect(await (await finished(h.queue, jobId)).getState()).toBe("failed");
    expect((await deps.applied.get("staging"))?.sha).not.toBe(bad);

    repo.edit("apps/web.yaml", (t) => t.replace("path: /missing", "path: /healthz"));
    const good = pushGreeting(repo, "fixed");
    await h.queue.enqueue({ trigger: "push", env: "staging", sha: good });
    await appliedAt("production", good);
    // Production went from the first commit straight to the fixed one: the failed one never ran there.
    expect(before).toBeDefined();
    expect(await productionCommits()).not.toContain(bad);
    expect((await web("production")).commits).toEqual([good]);
  });

  it("resumes a promotion after a restart during the wait", async () => {
    const sha = pushGreeting(repo, "restart");
    await h.queue.enqueue({ trigger: "push", env: "staging", sha });
    await appliedAt("staging", sha);
    // dockhand stops while production waits; the delayed job waits in Redis.
    await promoter.close();
    const pending = await promotions.queue.getJob(`promote-production-${sha}`);
    expect(await pending?.getState()).toBe("delayed");
    promoter = startPromoter();
    await appliedAt("production", sha);
    expect((await web("production")).commits).toEqual([sha]);
  });
});

describe("manual promotion", () => {
  it("waits for a person, then promotes what staging runs through the CLI and the admin API", async () => {
    repo.edit("dockhand.yaml", (t) =>
      t.replace("promote: { from: staging, after: 3s }", "promote: { from: staging, manual: true }"),
    );
    const sha = pushGreeting(repo, "by-hand");
    await h.queue.enqueue({ trigger: "push", env: "staging", sha });
    const stagedAt = await appliedAt("staging", sha);
    expect(await promotions.queue.getJob(`promote-production-${sha}`)).toBeUndefined();
    expect((await deps.applied.get("production"))?.sha).not.toBe(sha);
    expect(Date.now() - stagedAt).toBeLessThan(60_000);

    const auth = new AdminAuth({ token: "admin-secret" });
    const app = Fastify();
    await apiRoutes(app, {
      guard: auth.guard,
      enqueueSync: (job, requestId) => h.queue.enqueue(job, requestId),
      cancelJob: async () => "unknown",
      promote: (env) =>
        promoteNow(env, {
          ...proofDeps(),
          environments: deps.environments,
          candidate: (env) => promotions.candidate(env),
        }),
    });
    try {
      const refused = await app.inject({
        method: "POST",
        url: "/api/environments/staging/promote",
        headers: { authorization: "Bearer admin-secret" },
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toEqual({
        error: "DOCKHAND_E_USAGE",
        message: "staging follows the branch: every push deploys to it, so there is nothing to promote",
      });
      // The CLI promotes through the same Redis, as an operator on the dockhand machine would.
      const cli = await runCli(["promote", "production"], {
        REDIS_URL: testbed().redisUrl,
        DOCKHAND_INSTANCE: h.instance,
      });
      expect(cli.stderr).toBe("");
      expect(cli.stdout).toMatch(
        new RegExp(`^promotion of production to ${sha} \\(proved by staging\\) queued as job \\S+\\n$`),
      );
      expect(cli.code).toBe(0);
      await appliedAt("production", sha);
      // Asked again through the API, the same commit is the same request: nothing runs twice.
      const answer = await app.inject({
        method: "POST",
        url: "/api/environments/production/promote",
        headers: { authorization: "Bearer admin-secret" },
      });
      expect(answer.statusCode).toBe(202);
      expect(answer.json()).toMatchObject({
        status: "duplicate",
        sha,
        reason: `promotion of production to ${sha} (proved by staging) was already asked for`,
      });
      expect((await web("production")).commits).toEqual([sha]);
    } finally {
      await app.close();
    }
  });
});
