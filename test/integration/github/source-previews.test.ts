/**
 * Previews for pull requests on an app's own source repository (issue 7):
 * web builds from a separate git remote (`build.git`); a real pull_request
 * payload for that repository ─▶ a preview of web built from the PR's head
 * (the deploy repo's tracked branch with the source pinned), served by the
 * built-in proxy at `web-<repo>-pr-<n>.<domain>`, reported on the source
 * repository's PR through the fake GitHub; closing it takes it down.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts } from "../../../src/docker/index.js";
import { GitRepo, SourceRepositories } from "../../../src/git/index.js";
import { COMMENT_MARKER, GitHubPullRequestReporter } from "../../../src/github/index.js";
import type { SyncJob, TrackedSource } from "../../../src/model/index.js";
import { ownerAndName } from "../../../src/model/owner-and-name.js";
import { BuiltinProxy, RedisRouteStore, serveRoutes } from "../../../src/proxy/index.js";
import { classifyEvent } from "../../../src/webhook/classify-event.js";
import { pullRequestJob } from "../../../src/worker/previews/pull-request-job.js";
import { RedisPreviewRegistry } from "../../../src/worker/previews/redis-preview-registry.js";
import { runPullRequest } from "../../../src/worker/previews/run-pull-request.js";
import type { SyncDeps } from "../../../src/worker/sync/run-sync.js";
import { SourceReadingRepo } from "../../../src/worker/sync/source-reading-repo.js";
import { createDeployRepo, createSourceRepo, EXAMPLE_DIR, type TestDeployRepo } from "../../support/deploy-repo.js";
import { pullRequestPayload } from "../../support/github-webhook.js";
import { proxyGet } from "../../support/proxy-get.js";
import { testbed } from "../../support/testbed.js";
import { removeInstance } from "../rollout/rollout-fixtures.js";
import { type GitHubRig, INSTALLATION, quietLog, startRig } from "./github-fixtures.js";

const DEPLOY = "acme/deploy";
const DOMAIN = "preview.test";
const instance = `t${randomBytes(3).toString("hex")}`;
const prefix = `dockhand:${instance}:`;
let deploy: TestDeployRepo;
let source: TestDeployRepo;
let sourceName: string;
let env: string;
let rig: GitHubRig;
let redis: Redis;
let routes: RedisRouteStore;
let proxy: BuiltinProxy;
let proxyPort: number;
let stopServing: () => Promise<void>;
let deps: SyncDeps;
const cleanups: string[] = [];

/** A PR branch on the source repository with its own page; returns its head. */
function pushSourceBranch(branch: string, page: string): string {
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@x", ...args], {
      cwd: source.work,
      encoding: "utf8",
    }).trim();
  git("checkout", "--quiet", "-B", branch, "main");
  source.edit("www/index.html", () => `${page}\n`);
  git("commit", "--quiet", "-am", page);
  git("push", "--quiet", "--force", "origin", branch);
  return git("rev-parse", "HEAD");
}

function prEvent(action: string, number: number, sha: string, sources: TrackedSource[]): SyncJob {
  const payload = pullRequestPayload(action, {
    repository: sourceName,
    number,
    sha,
    headRef: "feature",
    base: "main",
    installationId: INSTALLATION,
  });
  const decision = classifyEvent("pull_request", payload, { repository: DEPLOY, branch: "main", sources });
  if (decision.action !== "preview") throw new Error(`not a preview request: ${JSON.stringify(decision)}`);
  return pullRequestJob(decision.request, DEPLOY, "main");
}

function comment(number: number): string {
  const found = rig.fake.resources.comments.find(
    (c) => c.repo === sourceName && c.issue === number && c.body.startsWith(COMMENT_MARKER),
  );
  return found?.body ?? "";
}

async function running(envName: string) {
  const docker = createDockerHosts([
    { name: "alpha", docker: testbed().alpha, address: "127.0.0.1", bind: "127.0.0.1", capacity: 20, labels: {} },
  ]);
  try {
    return (await docker.observe(instance)).hosts
      .flatMap((h) => h.containers)
      .filter((c) => c.env === envName && c.state === "running");
  } finally {
    await docker.close();
  }
}

beforeAll(async () => {
  const web = join(EXAMPLE_DIR, "services", "web");
  source = createSourceRepo({
    Dockerfile: readFileSync(join(web, "Dockerfile"), "utf8"),
    "www/index.html": "production page\n",
    "www/healthz": "ok\n",
  });
  sourceName = ownerAndName(source.remote) ?? "";
  deploy = createDeployRepo();
  deploy.edit("dockhand.yaml", (t) => `${t}previews: { domain: ${DOMAIN}, ttl: 1h, maxActive: 3 }\n`);
  deploy.edit(
    "apps/web.yaml",
    (t) =>
      `${t.replace("build: { context: services/web }", `build: { git: ${source.remote}, context: . }`)}previews: { enabled: true }\n`,
  );
  deploy.push("web builds from its own repository, with previews");
  const cache = mkdtempSync(join(tmpdir(), "dockhand-source-previews-"));
  cleanups.push(deploy.root, source.root, cache);
  rig = await startRig("app", { fake: { now: Date.now } });
  redis = new Redis(testbed().redisUrl, { maxRetriesPerRequest: null });
  routes = new RedisRouteStore({ redis: redis.duplicate(), prefix });
  proxy = new BuiltinProxy({ listen: { host: "127.0.0.1", port: 0 }, log: quietLog });
  proxyPort = (await proxy.start()).port;
  stopServing = await serveRoutes(proxy, routes, { log: quietLog });
  deps = {
    repo: new SourceReadingRepo(new GitRepo({ url: deploy.remote, cacheDir: cache }), new SourceRepositories(cache)),
    dockerFor: (hosts) => createDockerHosts(hosts),
    routes,
    instance,
    log: quietLog,
    pullRequests: new GitHubPullRequestReporter({ client: rig.client, log: quietLog }),
    previews: new RedisPreviewRegistry(redis, prefix),
    previewScheme: "http",
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

describe("a pull request on an app's source repository", () => {
  const tracked = (): TrackedSource[] => [{ url: source.remote, branch: "main", apps: ["web"] }];

  it("opened: web is previewed from the PR head, the PR's comment shows the URL", async () => {
    const sha = pushSourceBranch("feature", "page of the pull request");
    const job = prEvent("opened", 5, sha, tracked());
    env = job.env;
    expect(env).toBe(`${sourceName.split("/")[1]}-pr-5`);
    const outcome = await runPullRequest(job, deps);
    expect(outcome.status).toBe("succeeded");
    const host = `web-${env}.${DOMAIN}`;
    expect(await proxyGet(proxyPort, host)).toEqual({ status: 200, body: "page of the pull request\n" });
    // Only web builds from the source repository; api, built from the deploy repo, gets no preview.
    expect((await running(env)).map((c) => c.app)).toEqual(["web"]);
    expect(comment(5)).toContain(`| web | http://${host} | deployed |`);
    expect(rig.fake.violations).toEqual([]);
  });

  it("closed: the preview's containers and routes are gone", async () => {
    const sha = execFileSync("git", ["rev-parse", "feature"], { cwd: source.work, encoding: "utf8" }).trim();
    await runPullRequest(prEvent("closed", 5, sha, tracked()), deps);
    expect(await running(env)).toEqual([]);
    expect((await routes.load()).routes.filter((r) => r.env === env)).toEqual([]);
    expect((await proxyGet(proxyPort, `web-${env}.${DOMAIN}`)).status).toBe(404);
    expect(rig.fake.violations).toEqual([]);
  });
});
