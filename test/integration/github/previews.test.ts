/**
 * Pull requests end to end on the real parts: real webhook payloads
 * (@octokit/webhooks-examples) ─▶ the job ─▶ a preview built from the PR's
 * head on the test bed engines, served by the built-in proxy at
 * `<app>-pr-<n>.<domain>`, reported to the fake GitHub (comment, checks,
 * deployment: every request valid per the REST description) and to the
 * status branch; updated on a push, refused for a fork, held at maxActive,
 * torn down on merge and after the TTL.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts } from "../../../src/docker/index.js";
import { GitRepo, StatusBranch, StatusBranchReporter } from "../../../src/git/index.js";
import { COMMENT_MARKER, GitHubDeployReporter, GitHubPullRequestReporter } from "../../../src/github/index.js";
import type { DeployOutcome, SyncJob } from "../../../src/model/index.js";
import { BuiltinProxy, RedisRouteStore, serveRoutes } from "../../../src/proxy/index.js";
import { classifyEvent } from "../../../src/webhook/classify-event.js";
import { reapPreviews } from "../../../src/worker/preview-reaper.js";
import { pullRequestJob } from "../../../src/worker/pull-request-job.js";
import { RedisPreviewRegistry } from "../../../src/worker/redis-preview-registry.js";
import { fanOutReporters } from "../../../src/worker/report-sync.js";
import { runPullRequest } from "../../../src/worker/run-pull-request.js";
import type { SyncDeps } from "../../../src/worker/run-sync.js";
import { createDeployRepo, type TestDeployRepo } from "../../support/deploy-repo.js";
import { pullRequestPayload } from "../../support/github-webhook.js";
import { proxyGet } from "../../support/proxy-get.js";
import { testbed } from "../../support/testbed.js";
import { removeInstance } from "../rollout/rollout-fixtures.js";
import { type GitHubRig, quietLog, startRig } from "./github-fixtures.js";

const REPOSITORY = "acme/deploy";
const DOMAIN = "preview.test";
const instance = `t${randomBytes(3).toString("hex")}`;
const prefix = `dockhand:${instance}:`;
let repo: TestDeployRepo;
let rig: GitHubRig;
let redis: Redis;
let routes: RedisRouteStore;
let proxy: BuiltinProxy;
let proxyPort: number;
let stopServing: () => Promise<void>;
let deps: SyncDeps;
const cleanups: string[] = [];

function git(...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@x", ...args], {
    cwd: repo.work,
    encoding: "utf8",
  }).trim();
}

/** Commits the work tree on `branch` and pushes it; returns the head sha. */
function pushBranch(branch: string, page: string): string {
  git("checkout", "--quiet", "-B", branch, "main");
  writeFileSync(join(repo.work, "services/web/www/index.html"), `${page}\n`);
  git("commit", "--quiet", "-am", `page ${page}`);
  git("push", "--quiet", "--force", "origin", branch);
  return git("rev-parse", "HEAD");
}

/** The real payload of `action`, pointed at our repo, PR number and head. */
function prEvent(action: string, number: number, sha: string, over: { fork?: boolean; merged?: boolean } = {}) {
  const payload = pullRequestPayload(action, {
    repository: REPOSITORY,
    number,
    sha,
    headRef: `pr-${number}`,
    headRepository: over.fork ? "stranger/deploy" : REPOSITORY,
    base: "main",
    merged: over.merged ?? false,
    installationId: 77,
  });
  const decision = classifyEvent("pull_request", payload, { repository: REPOSITORY, branch: "main", delivery: "d" });
  if (decision.action !== "preview") throw new Error(`not a preview request: ${JSON.stringify(decision)}`);
  return pullRequestJob(decision.request, REPOSITORY, "main");
}

function run(job: SyncJob): Promise<DeployOutcome> {
  return runPullRequest(job, deps);
}

function comment(number: number): string {
  return rig.fake.resources.comments.find((c) => c.issue === number && c.body.startsWith(COMMENT_MARKER))?.body ?? "";
}

/** Running containers of `env`; with `all`, stopped and retired ones too. */
async function previewContainers(env: string, all = false) {
  const docker = createDockerHosts(testbedHostsOfExample());
  try {
    const containers = (await docker.observe(instance)).hosts.flatMap((h) => h.containers);
    return containers.filter((c) => c.env === env && (all || c.state === "running"));
  } finally {
    await docker.close();
  }
}

function testbedHostsOfExample() {
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

beforeAll(async () => {
  repo = createDeployRepo((work) => {
    const config = join(work, "dockhand.yaml");
    execFileSync("sh", ["-c", `printf 'previews: { domain: ${DOMAIN}, ttl: 1h, maxActive: 1 }\\n' >> ${config}`]);
    execFileSync("sh", ["-c", `printf 'previews: { enabled: true }\\n' >> ${join(work, "apps/web.yaml")}`]);
  });
  const cache = mkdtempSync(join(tmpdir(), "dockhand-previews-"));
  cleanups.push(repo.root, cache);
  // The fake keeps real time (JWTs are signed with it); dockhand's clock jumps ahead for the TTL.
  rig = await startRig("app", { fake: { now: Date.now } });
  redis = new Redis(testbed().redisUrl, { maxRetriesPerRequest: null });
  routes = new RedisRouteStore({ redis: redis.duplicate(), prefix });
  proxy = new BuiltinProxy({ listen: { host: "127.0.0.1", port: 0 }, log: quietLog });
  proxyPort = (await proxy.start()).port;
  stopServing = await serveRoutes(proxy, routes, { log: quietLog });
  const status = new StatusBranchReporter(new StatusBranch({ url: repo.remote, cacheDir: cache }));
  const github = new GitHubDeployReporter({ client: rig.client, repository: REPOSITORY, log: quietLog });
  deps = {
    repo: new GitRepo({ url: repo.remote, cacheDir: cache }),
    dockerFor: (hosts) => createDockerHosts(hosts),
    routes,
    instance,
    log: quietLog,
    reporter: fanOutReporters([github, status]),
    teardownReporter: status,
    pullRequests: new GitHubPullRequestReporter({ client: rig.client, log: quietLog }),
    previews: new RedisPreviewRegistry(redis, prefix),
    previewScheme: "http",
    now: () => rig.clock.now,
  };
});

afterAll(async () => {
  await removeInstance(instance);
  await stopServing?.();
  await proxy?.stop();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await routes?.close();
  redis?.disconnect();
  await rig?.fake.close();
  for (const dir of cleanups) rmSync(dir, { recursive: true, force: true });
});

describe("pull request previews", () => {
  it("opened: the preview is live at its hostname and the comment shows its URL", async () => {
    const sha = pushBranch("pr-7", "preview one");
    const outcome = await run(prEvent("opened", 7, sha));
    expect(outcome.status).toBe("succeeded");
    expect(await proxyGet(proxyPort, `web-pr-7.${DOMAIN}`)).toEqual({ status: 200, body: "preview one\n" });
    const running = await previewContainers("pr-7");
    expect(running.map((c) => `${c.app} ${c.slot}`)).toEqual(["web 0"]);
    const body = comment(7);
    expect(body).toContain(`| web | http://web-pr-7.${DOMAIN} | deployed |`);
    expect(body).toContain("#### What merging changes on production");
    expect(body).toContain("#### Preview `pr-7`: :rocket: live");
    const checks = rig.fake.resources.checkRuns
      .filter((r) => r.head_sha === sha)
      .map((r) => `${r.name} ${r.conclusion}`);
    expect(checks.sort()).toEqual(["dockhand/plan success", "dockhand/preview success"]);
    const [deployment] = rig.fake.resources.deployments;
    expect(deployment?.statuses.at(-1)).toMatchObject({
      state: "success",
      environment_url: `http://web-pr-7.${DOMAIN}`,
    });
    const status = JSON.parse(
      execFileSync("git", ["show", "dockhand-status:pr-7.json"], { cwd: repo.remote, encoding: "utf8" }),
    );
    expect(status.apps.web.slots).toEqual([
      expect.objectContaining({ slot: 0, container: running[0]?.name, state: "running" }),
    ]);
    expect(rig.fake.violations).toEqual([]);
  });

  it("synchronize: a push rebuilds the preview from the new head, same comment", async () => {
    const sha = pushBranch("pr-7", "preview two");
    rig.clock.now += 60_000;
    await run(prEvent("synchronize", 7, sha));
    expect(await proxyGet(proxyPort, `web-pr-7.${DOMAIN}`)).toEqual({ status: 200, body: "preview two\n" });
    expect(rig.fake.resources.comments.filter((c) => c.issue === 7)).toHaveLength(1);
    expect(comment(7)).toContain(`at \`${sha.slice(0, 7)}\``);
    expect(rig.fake.violations).toEqual([]);
  });

  it("a fork gets no preview, and the comment says why", async () => {
    const sha = pushBranch("pr-8", "from a fork");
    await run(prEvent("opened", 8, sha, { fork: true }));
    expect(await previewContainers("pr-8")).toEqual([]);
    expect(comment(8)).toContain("#### Preview `pr-8`: :no_entry: not started");
    expect(comment(8)).toContain("label dockhand:preview");
  });

  it("over previews.maxActive a PR waits, and is told so", async () => {
    const sha = pushBranch("pr-9", "nine");
    await run(prEvent("opened", 9, sha));
    expect(await previewContainers("pr-9")).toEqual([]);
    expect(comment(9)).toContain("#### Preview `pr-9`: :hourglass: waiting");
  });

  it("closed (merged): containers and routes are gone, the deployment inactive", async () => {
    const sha = git("rev-parse", "pr-7");
    await run(prEvent("closed", 7, sha, { merged: true }));
    expect(await previewContainers("pr-7", true)).toEqual([]);
    expect((await routes.load()).routes.filter((r) => r.env === "pr-7")).toEqual([]);
    expect((await proxyGet(proxyPort, `web-pr-7.${DOMAIN}`)).status).toBe(404);
    expect(comment(7)).toContain("This pull request was merged.");
    expect(rig.fake.resources.deployments[0]?.statuses.at(-1)?.state).toBe("inactive");
    expect(await deps.previews?.list()).toEqual([]);
    // The status branch holds what runs: pr-7.json is gone, its history stays in git log.
    const files = execFileSync("git", ["ls-tree", "--name-only", "dockhand-status"], {
      cwd: repo.remote,
      encoding: "utf8",
    });
    expect(files.split("\n")).not.toContain("pr-7.json");
    const log = execFileSync("git", ["log", "--format=%s", "dockhand-status"], { cwd: repo.remote, encoding: "utf8" });
    expect(log.split("\n")[0]).toMatch(/^pr-7: removed at [0-9a-f]{12}$/);
  });

  it("after previews.ttl without a push, the reaper takes the preview down", async () => {
    const sha = git("rev-parse", "pr-9");
    await run(prEvent("synchronize", 9, sha));
    expect(await proxyGet(proxyPort, `web-pr-9.${DOMAIN}`)).toEqual({ status: 200, body: "nine\n" });
    const queued: SyncJob[] = [];
    const reap = {
      registry: deps.previews!,
      enqueue: async (job: SyncJob) => queued.push(job),
      log: quietLog,
      now: () => rig.clock.now,
    };
    expect(await reapPreviews(reap)).toEqual([]);
    rig.clock.now += 60 * 60_000 + 1;
    expect(await reapPreviews(reap)).toEqual(["pr-9"]);
    await run(queued[0] as SyncJob);
    expect(await previewContainers("pr-9")).toEqual([]);
    expect(comment(9)).toContain("Removed: it had no push for previews.ttl.");
    expect(rig.fake.violations).toEqual([]);
  });
});
