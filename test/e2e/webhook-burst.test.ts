/**
 * `dockhand serve` under what GitHub and operations throw at it (issue 6):
 * 50 signed pushes within 2 s give at most two syncs and the last commit
 * ends up live; a redelivery and a push to the status branch run nothing;
 * SIGTERM in the middle of a rollout hands the job back at a clean point and
 * exits 0, and the restarted serve finds the job in its private, append-only
 * Redis and finishes it.
 */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanUp,
  containersOf,
  newInstance,
  pushGreeting,
  smallRepo,
  testbedDocker,
} from "../integration/queue/queue-fixtures.js";
import type { TestDeployRepo } from "../support/deploy-repo.js";
import { type DockhandProcess, startDockhand } from "../support/dockhand-process.js";
import { freePort } from "../support/free-port.js";
import { deliver, pushPayload } from "../support/github-webhook.js";
import { waitFor } from "../support/wait-for.js";

const SECRET = "burst-secret";
const GITHUB_REPO = "acme/deploy";
const instance = newInstance("wb");
const docker = testbedDocker();
let repo: TestDeployRepo;
let serve: DockhandProcess;
let env: Record<string, string>;
let url: string;

function git(...args: string[]): string {
  return execFileSync("git", args, {
    cwd: repo.work,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t",
    },
  }).trim();
}

async function webCommits(): Promise<string[]> {
  const web = (await containersOf(docker, instance)).filter(
    (c) => c.app === "web" && c.state === "running" && c.retiredAt === undefined,
  );
  return web.map((c) => c.commit);
}

function live(sha: string, replicas = 2) {
  return async () => {
    const commits = await webCommits();
    return commits.length === replicas && commits.every((c) => c === sha);
  };
}

function push(sha: string, delivery?: string) {
  return deliver(url, "push", pushPayload(GITHUB_REPO, "refs/heads/main", sha), SECRET, delivery);
}

beforeAll(async () => {
  const proxyPort = await freePort();
  const httpPort = await freePort();
  repo = smallRepo({ replicas: 2 });
  repo.edit("dockhand.yaml", (t) => t.replace("listen: 127.0.0.1:8080", `listen: 127.0.0.1:${proxyPort}`));
  const seeded = repo.push("test proxy port");
  env = {
    DOCKHAND_REPO: repo.remote,
    DOCKHAND_GITHUB_REPO: GITHUB_REPO,
    DOCKHAND_WEBHOOK_SECRET: SECRET,
    DOCKHAND_STATE_DIR: `${repo.root}/state`,
    DOCKHAND_HTTP_PORT: String(httpPort),
    DOCKHAND_INSTANCE: instance,
    DOCKHAND_POLL_INTERVAL: "0",
    DOCKHAND_STOP_GRACE: "1s",
    REDIS_URL: "",
  };
  url = `http://127.0.0.1:${httpPort}/webhooks/github`;
  serve = startDockhand(["serve"], env);
  await waitFor("the startup sync to deploy web", live(seeded), { timeoutMs: 90_000 });
});

afterAll(async () => {
  await serve?.stop();
  await cleanUp(instance, docker);
  await docker.close();
});

describe("dockhand serve: bursts, redeliveries, SIGTERM and restart", () => {
  it("runs at most 2 syncs for 50 signed pushes within 2 s, and the last one is live", async () => {
    const base = git("rev-parse", "HEAD");
    for (let i = 1; i <= 50; i++) {
      repo.edit("apps/web.yaml", (t) => t.replace(/GREETING: .*/, `GREETING: burst-${i}`));
      git("commit", "--quiet", "-am", `burst ${i}`);
    }
    git("push", "--quiet", "origin", "main");
    const shas = git("rev-list", "--reverse", `${base}..HEAD`).split("\n");
    expect(shas).toHaveLength(50);
    const mark = serve.lines.length;
    const began = Date.now();
    const answers = [];
    for (const sha of shas) answers.push(await push(sha));
    const sentMs = Date.now() - began;
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(202));
    const last = shas.at(-1) ?? "";
    await waitFor("the last pushed commit to be live", live(last), { timeoutMs: 90_000 });
    await waitFor(
      "the queue to settle",
      () =>
        serve.lines.slice(mark).filter((l) => l.msg === "sync job completed").length >=
        serve.lines.slice(mark).filter((l) => l.msg === "sync started" || l.msg === "sync skipped").length,
    );
    const syncs = serve.lines.slice(mark).filter((l) => l.msg === "sync started");
    console.log(`[bench] 50 pushes sent in ${sentMs} ms; syncs run: ${syncs.length}`);
    expect(syncs.length).toBeGreaterThanOrEqual(1);
    expect(syncs.length).toBeLessThanOrEqual(2);
    expect(syncs.at(-1)?.sha).toBe(last);
  });

  it("answers a redelivery duplicate and a push to the status branch ignored, running nothing", async () => {
    const sha = pushGreeting(repo, "once");
    const mark = serve.lines.length;
    const first = await push(sha, "delivery-once");
    expect(JSON.parse(first.body)).toMatchObject({ status: "queued" });
    await waitFor("the push to be live", live(sha), { timeoutMs: 60_000 });
    const again = await push(sha, "delivery-once");
    expect(JSON.parse(again.body)).toMatchObject({
      status: "duplicate",
      reason: "delivery delivery-once was already queued",
    });
    const status = await deliver(url, "push", pushPayload(GITHUB_REPO, "refs/heads/dockhand-status", sha), SECRET);
    expect(JSON.parse(status.body)).toEqual({
      status: "ignored",
      reason: "push to dockhand's status branch dockhand-status: its own records never trigger a deploy",
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(serve.lines.slice(mark).filter((l) => l.msg === "sync started")).toHaveLength(1);
  });

  it("on SIGTERM mid-rollout hands the job back and exits 0; restarted, it finishes the job from its queue", async () => {
    // A health gate that stays open well past the 1 s stop grace: SIGTERM lands mid-step, every time
    // (a drain ends early once the proxy has nothing in flight, so it is no reliable place to stop).
    repo.edit("apps/web.yaml", (t) => t.replace("stable: 200ms", "stable: 5s"));
    const sha = pushGreeting(repo, "interrupted");
    const mark = serve.lines.length;
    await push(sha);
    const drain = await waitFor("a health wait to begin", () =>
      serve.lines.slice(mark).find((l) => l.msg === "rollout step" && String(l.step).startsWith("waitHealthy")),
    );
    const code = await serve.stop("SIGTERM");
    expect(code).toBe(0);
    expect(serve.logged("stopping: the running sync was handed back at a clean point")).toHaveLength(1);
    serve = startDockhand(["serve"], env);
    await waitFor("the restarted serve to take the job up again", () =>
      serve.logged("sync started").some((l) => l.job === drain.job),
    );
    await waitFor("the interrupted commit to be live", live(sha), { timeoutMs: 90_000 });
  });
});
