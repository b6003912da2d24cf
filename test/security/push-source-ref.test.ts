/**
 * A push to an app's source repository (`build.git`) must name a commit of
 * the branch its apps build from. runSync with the real GitRepo and
 * SourceRepositories over real remotes; the Docker port is a tripwire, so a
 * sync that gets as far as the hosts says so.
 */
import { rmSync } from "node:fs";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitRepo, SourceRepositories } from "../../src/git/index.js";
import { ownerAndName, type RouteStore, type SyncJob } from "../../src/model/index.js";
import { runSync, type SyncDeps } from "../../src/worker/sync/run-sync.js";
import { SourceReadingRepo } from "../../src/worker/sync/source-reading-repo.js";
import { createDeployRepo, createSourceRepo, git, type TestDeployRepo } from "../support/deploy-repo.js";

const TRIPWIRE = "the sync reached the hosts";
let source: TestDeployRepo;
let deploy: TestDeployRepo;
let deps: SyncDeps;
const logs: Record<string, unknown>[] = [];

/** A commit of the source repository pushed to `ref` only; its main is left as it was. */
function pushAside(ref: string, page: string): string {
  git(source.work, "checkout", "--quiet", "-b", `aside-${page}`, "main");
  source.edit("index.html", () => `${page}\n`);
  git(source.work, "commit", "--quiet", "-am", page);
  git(source.work, "push", "--quiet", "origin", `HEAD:${ref}`);
  const sha = git(source.work, "rev-parse", "HEAD");
  git(source.work, "checkout", "--quiet", "main");
  return sha;
}

function sourcePush(sha: string): SyncJob {
  const repository = ownerAndName(source.remote) ?? "";
  return { trigger: "source", env: "production", source: { repository, branch: "main", sha, apps: ["web"] } };
}

beforeAll(() => {
  source = createSourceRepo({ Dockerfile: "FROM busybox:stable\n", "index.html": "main\n" });
  deploy = createDeployRepo();
  deploy.edit("apps/web.yaml", (t) =>
    t.replace("build: { context: services/web }", `build: { git: ${source.remote}, branch: main, context: . }`),
  );
  deploy.push("web builds from its own repository");
  const cacheDir = `${deploy.root}/git`;
  const repo = new SourceReadingRepo(new GitRepo({ url: deploy.remote, cacheDir }), new SourceRepositories(cacheDir));
  deps = {
    repo,
    routes: {} as RouteStore,
    instance: "push-source-ref",
    log: pino({ level: "info" }, { write: (line: string) => logs.push(JSON.parse(line)) }),
    dockerFor: () => {
      throw new Error(TRIPWIRE);
    },
  };
});

afterAll(() => {
  for (const repo of [source, deploy]) rmSync(repo.root, { recursive: true, force: true });
});

describe("a source repository's push deploys only commits of the branch its apps build from", () => {
  it("refuses a pull request's head of the source repository (only at refs/pull/3/head) before any host", async () => {
    const head = pushAside("refs/pull/3/head", "from-pull-request");
    const main = git(source.work, "rev-parse", "main");
    const outcome = await runSync(sourcePush(head), deps);
    const where = `branch main of ${ownerAndName(source.remote)} (head ${main.slice(0, 12)})`;
    expect(outcome).toEqual({
      sha: head,
      status: "failed",
      apps: [],
      error: {
        code: "DOCKHAND_E_UNTRUSTED_REF",
        message: `commit ${head} is not on ${where}, which its apps build from: a push deploys only the branch's head or a commit it holds`,
      },
    });
    expect(logs.at(-1)).toMatchObject({ msg: "sync refused", code: "DOCKHAND_E_UNTRUSTED_REF", sha: head });
  });

  it("refuses the head of another branch of the source repository", async () => {
    const head = pushAside("refs/heads/next", "from-next");
    const outcome = await runSync(sourcePush(head), deps);
    expect(outcome.error?.code).toBe("DOCKHAND_E_UNTRUSTED_REF");
  });

  it("lets the branch's head and an older commit of it through to the hosts", async () => {
    const older = git(source.work, "rev-parse", "main");
    source.edit("index.html", () => "newer\n");
    const head = source.push("newer page");
    await expect(runSync(sourcePush(head), deps)).rejects.toThrow(TRIPWIRE);
    await expect(runSync(sourcePush(older), deps)).rejects.toThrow(TRIPWIRE);
  });
});
