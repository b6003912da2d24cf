/**
 * A signed push deploys only what the tracked branch holds. Push deliveries
 * for main that name another commit (a pull request's head, which GitHub
 * keeps at refs/pull/<n>/head, or another branch's head) go through the real
 * receiver, the sync queue and worker on the test bed's Redis, a real git
 * remote and the two engines: the job fails with DOCKHAND_E_UNTRUSTED_REF and
 * the hosts keep running main's commit. A pull request's own job still reads
 * its head, which only refs/pull/<n>/head holds.
 */
import type { AddressInfo } from "node:net";
import { type Job, QueueEvents } from "bullmq";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts } from "../../src/docker/index.js";
import { type DeployOutcome, type PullRequestInfo, QUEUE_NAMES } from "../../src/model/index.js";
import { webhookRoutes } from "../../src/webhook/index.js";
import { planPullRequest } from "../../src/worker/previews/plan-pull-request.js";
import type { QueuedSync } from "../../src/worker/queue/sync-queue.js";
import {
  cleanUp,
  containersOf,
  type Harness,
  pushGreeting,
  smallRepo,
  startHarness,
  testbedDocker,
} from "../integration/queue/queue-fixtures.js";
import { git, type TestDeployRepo } from "../support/deploy-repo.js";
import { deliver, pushPayload } from "../support/github-webhook.js";
import { testbed } from "../support/testbed.js";

const SECRET = "push-untrusted-secret";
const GITHUB_REPO = "acme/deploy";
const docker = testbedDocker();
let repo: TestDeployRepo;
let h: Harness;
let receiver: FastifyInstance;
let hookUrl: string;
let events: QueueEvents;
let deployed: string;

/** web's commit on every running replica. */
async function webCommits(): Promise<string[]> {
  const web = (await containersOf(docker, h.instance)).filter(
    (c) => c.app === "web" && c.state === "running" && c.retiredAt === undefined,
  );
  return [...new Set(web.map((c) => c.commit ?? ""))];
}

/** A commit changing web's greeting on a side branch of the work tree, pushed to `ref` only; main is left as it was. */
function pushAside(ref: string, greeting: string): string {
  git(repo.work, "checkout", "--quiet", "-b", `aside-${greeting}`, "main");
  const sha = pushGreetingCommit(greeting);
  git(repo.work, "push", "--quiet", "origin", `HEAD:${ref}`);
  git(repo.work, "checkout", "--quiet", "main");
  return sha;
}

function pushGreetingCommit(greeting: string): string {
  repo.edit("apps/web.yaml", (t) => t.replace(/GREETING: .*/, `GREETING: ${greeting}`));
  git(repo.work, "commit", "--quiet", "-am", `greeting ${greeting}`);
  return git(repo.work, "rev-parse", "HEAD");
}

/** Delivers a signed push of main naming `sha`; resolves with the job the receiver queued, once it finished. */
async function pushMainAt(sha: string): Promise<Job<QueuedSync, DeployOutcome>> {
  const answer = await deliver(hookUrl, "push", pushPayload(GITHUB_REPO, "refs/heads/main", sha), SECRET);
  expect(answer.status).toBe(202);
  const { job: jobId } = JSON.parse(answer.body) as { job: string };
  const job = (await h.queue.queue.getJob(jobId)) as Job<QueuedSync, DeployOutcome>;
  await job.waitUntilFinished(events, 120_000).catch(() => undefined);
  return (await h.queue.queue.getJob(jobId)) as Job<QueuedSync, DeployOutcome>;
}

beforeAll(async () => {
  repo = smallRepo({ replicas: 1 });
  h = await startHarness(repo.remote);
  events = new QueueEvents(QUEUE_NAMES.sync, { connection: { url: testbed().redisUrl }, prefix: h.prefix });
  await events.waitUntilReady();
  receiver = Fastify();
  await webhookRoutes(receiver, {
    secrets: [SECRET],
    repository: GITHUB_REPO,
    branch: "main",
    enqueueSync: (job, requestId) => h.queue.enqueue(job, requestId),
    log: h.log,
  });
  await receiver.listen({ host: "127.0.0.1", port: 0 });
  hookUrl = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/webhooks/github`;
  deployed = pushGreeting(repo, "from-main");
  const first = await pushMainAt(deployed);
  expect(await first.getState()).toBe("completed");
  expect(await webCommits()).toEqual([deployed]);
}, 180_000);

afterAll(async () => {
  await receiver?.close();
  await events?.close();
  await h?.close();
  await cleanUp(h.instance, docker);
  await docker.close();
});

describe("a signed push of the tracked branch deploys only commits of that branch", () => {
  it("refuses a pull request's head (only at refs/pull/7/head) and the hosts keep main's commit", async () => {
    const head = pushAside("refs/pull/7/head", "from-pull-request");
    const job = await pushMainAt(head);
    expect(await job.getState()).toBe("failed");
    expect(job.failedReason).toBe(
      `commit ${head} is not on the tracked branch main (head ${deployed.slice(0, 12)}): a push deploys only the branch's head or a commit it holds`,
    );
    expect(job.attemptsMade).toBe(1);
    expect(h.logged("sync refused").at(-1)).toMatchObject({ code: "DOCKHAND_E_UNTRUSTED_REF", sha: head });
    expect(await webCommits()).toEqual([deployed]);
  });

  it("refuses another branch's head, which the mirror does hold, and the hosts keep main's commit", async () => {
    const head = pushAside("refs/heads/feature", "from-feature");
    const job = await pushMainAt(head);
    expect(await job.getState()).toBe("failed");
    expect(job.failedReason).toContain(`commit ${head} is not on the tracked branch main`);
    expect(await webCommits()).toEqual([deployed]);
  });

  it("lets a pull request's own job read its head (fetched on demand), and a push naming it is still refused", async () => {
    const head = pushAside("refs/pull/9/head", "from-fork");
    const pr: PullRequestInfo = {
      number: 9,
      action: "opened",
      repository: GITHUB_REPO,
      headSha: head,
      headRef: "patch-1",
      baseRef: "main",
      fork: true,
      merged: false,
      labels: [],
    };
    const deps = { repo: h.repo, routes: h.routes, instance: h.instance, log: h.log, dockerFor: createDockerHosts };
    const planned = await planPullRequest(pr, deps, h.log);
    expect(planned.error).toBeUndefined();
    expect(planned.configs?.head.apps.find((a) => a.name === "web")?.environment.GREETING).toBe("from-fork");
    const job = await pushMainAt(head);
    expect(await job.getState()).toBe("failed");
    expect(job.failedReason).toContain(`commit ${head} is not on the tracked branch main`);
    expect(await webCommits()).toEqual([deployed]);
  });

  it("still deploys a push of main's new head", async () => {
    deployed = pushGreeting(repo, "main-again");
    const job = await pushMainAt(deployed);
    expect(await job.getState()).toBe("completed");
    expect(await webCommits()).toEqual([deployed]);
  });
});
