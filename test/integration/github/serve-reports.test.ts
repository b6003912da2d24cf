/**
 * `dockhand serve` wired to a (fake) GitHub through its environment alone:
 * GITHUB_API_URL, GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY. Its first sync
 * completes a dockhand/production check run and commits the status branch;
 * a signed pull_request webhook gets the PR its comment with the plan.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts } from "../../../src/docker/index.js";
import { COMMENT_MARKER } from "../../../src/github/index.js";
import { createDeployRepo, type TestDeployRepo } from "../../support/deploy-repo.js";
import { type DockhandProcess, startDockhand } from "../../support/dockhand-process.js";
import { testApp } from "../../support/fake-github/app-credentials.js";
import { type FakeGitHub, startFakeGitHub } from "../../support/fake-github/fake-github.js";
import { freePort } from "../../support/free-port.js";
import { exampleOf } from "../../support/github-examples.js";
import { deliver } from "../../support/github-webhook.js";
import { removeContainersOf } from "../../support/instance-containers.js";
import { testbedHosts } from "../../support/testbed.js";
import { waitFor } from "../../support/wait-for.js";

const SECRET = "serve-reports-secret";
const REPOSITORY = "acme/deploy";
const instance = `gh${randomUUID().slice(0, 6)}`;
let fake: FakeGitHub;
let repo: TestDeployRepo;
let serve: DockhandProcess;
let httpPort: number;
let seed: string;

beforeAll(async () => {
  fake = await startFakeGitHub({ app: testApp(), installations: { [REPOSITORY]: 91 } });
  const proxyPort = await freePort();
  httpPort = await freePort();
  repo = createDeployRepo();
  repo.edit("dockhand.yaml", (t) => t.replace("listen: 127.0.0.1:8080", `listen: 127.0.0.1:${proxyPort}`));
  // One small app keeps the startup deploy short.
  repo.edit("apps/web.yaml", (t) => t.replace("replicas: 3", "replicas: 1"));
  execFileSync("git", ["rm", "--quiet", "apps/api.yaml"], { cwd: repo.work });
  seed = repo.push("one replica of web");
  serve = startDockhand(["serve"], {
    DOCKHAND_REPO: repo.remote,
    DOCKHAND_GITHUB_REPO: REPOSITORY,
    DOCKHAND_WEBHOOK_SECRET: SECRET,
    DOCKHAND_STATE_DIR: `${repo.root}/state`,
    DOCKHAND_HTTP_PORT: String(httpPort),
    DOCKHAND_INSTANCE: instance,
    REDIS_URL: "",
    GITHUB_API_URL: fake.url,
    GITHUB_APP_ID: String(testApp().appId),
    GITHUB_APP_PRIVATE_KEY: testApp().privateKeyPem,
    GITHUB_TOKEN: "",
  });
});

afterAll(async () => {
  await serve?.stop();
  const docker = createDockerHosts(testbedHosts());
  await removeContainersOf(docker, instance);
  await docker.close();
  await fake?.close();
});

describe("dockhand serve reports to GitHub", () => {
  it("completes a dockhand/production check run on the deployed commit and commits the status branch", async () => {
    const run = await waitFor(
      "the startup sync's check run to complete",
      () => fake.resources.checkRuns.find((r) => r.head_sha === seed && r.status === "completed"),
      { timeoutMs: 120_000 },
    );
    expect(run).toMatchObject({
      name: "dockhand/production",
      conclusion: "success",
      output: { title: "Deployed 1 app" },
    });
    expect(run.output.summary).toContain("[web.localhost](https://web.localhost)");
    const status = await waitFor("the status branch", () => {
      try {
        return JSON.parse(
          execFileSync("git", ["show", "dockhand-status:production.json"], { cwd: repo.remote, encoding: "utf8" }),
        );
      } catch {
        return undefined;
      }
    });
    expect(status).toMatchObject({
      env: "production",
      commit: seed,
      apps: { web: { replicas: 1, outcome: "succeeded" } },
    });
    expect(fake.violations).toEqual([]);
  });

  it("comments the plan on a pull request opened against the tracked branch", async () => {
    execFileSync("git", ["checkout", "--quiet", "-b", "more-web"], { cwd: repo.work });
    repo.edit("apps/web.yaml", (t) => t.replace("replicas: 1", "replicas: 2"));
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@x", "commit", "--quiet", "-am", "two web"], {
      cwd: repo.work,
    });
    execFileSync("git", ["push", "--quiet", "origin", "more-web"], { cwd: repo.work });
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repo.work, encoding: "utf8" }).trim();
    const payload = exampleOf("pull_request", (p) => p.action === "opened") as unknown as {
      repository: { full_name: string };
      pull_request: { head: { sha: string; repo: { full_name: string } }; base: { ref: string } };
    };
    payload.repository.full_name = REPOSITORY;
    payload.pull_request.head.sha = head;
    payload.pull_request.head.repo.full_name = REPOSITORY;
    payload.pull_request.base.ref = "main";
    const answer = await deliver(`http://127.0.0.1:${httpPort}/webhooks/github`, "pull_request", payload, SECRET);
    expect(answer.status).toBe(202);
    const body = await waitFor(
      "the PR comment",
      () => fake.resources.comments.find((c) => c.issue === 2 && c.body.startsWith(COMMENT_MARKER))?.body,
      { timeoutMs: 60_000 },
    );
    expect(body).toContain("#### What merging changes on production");
    expect(body).toMatch(/Plan: 1 to create, 0 to replace, 0 to remove, 0 apps unchanged\./);
    const check = await waitFor("the plan check", () => fake.resources.checkRuns.find((r) => r.head_sha === head));
    expect(check).toMatchObject({ name: "dockhand/plan", conclusion: "success" });
    expect(fake.violations).toEqual([]);
  });
});
