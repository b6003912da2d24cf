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
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeployOutcome, SyncJob } from "../../../src/model/index.js";
import { reapPreviews } from "../../../src/worker/previews/preview-reaper.js";
import type { SyncDeps } from "../../../src/worker/sync/run-sync.js";
import { proxyGet } from "../../support/proxy-get.js";
import { quietLog } from "./github-fixtures.js";
import { type PreviewEventOptions, type PreviewRig, startPreviewRig, statusFile } from "./preview-rig.js";

const DOMAIN = "preview.test";
let bed: PreviewRig;
let rig: PreviewRig["github"];
let routes: PreviewRig["routes"];
let proxyPort: number;
let deps: SyncDeps;

function git(...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@x", ...args], {
    cwd: bed.repo.work,
    encoding: "utf8",
  }).trim();
}

/** Commits a new page on `branch` and pushes it; returns the head sha. */
function pushBranch(branch: string, page: string): string {
  return bed.pushBranch(branch, (work) => writeFileSync(join(work, "services/web/www/index.html"), `${page}\n`));
}

function prEvent(action: string, number: number, sha: string, over: PreviewEventOptions = {}): SyncJob {
  return bed.prEvent(action, number, sha, over);
}

function run(job: SyncJob): Promise<DeployOutcome> {
  return bed.run(job);
}

function comment(number: number): string {
  return bed.comment(number);
}

function previewContainers(env: string, all = false) {
  return bed.containers(env, all);
}

beforeAll(async () => {
  bed = await startPreviewRig({
    tweak: (work) => {
      const config = join(work, "dockhand.yaml");
      execFileSync("sh", ["-c", `printf 'previews: { domain: ${DOMAIN}, ttl: 1h, maxActive: 1 }\\n' >> ${config}`]);
      execFileSync("sh", ["-c", `printf 'previews: { enabled: true }\\n' >> ${join(work, "apps/web.yaml")}`]);
    },
  });
  ({ github: rig, routes, proxyPort, deps } = bed);
});

afterAll(async () => {
  await bed?.close();
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
    const status = JSON.parse(statusFile(bed.repo.remote, "pr-7.json"));
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
      cwd: bed.repo.remote,
      encoding: "utf8",
    });
    expect(files.split("\n")).not.toContain("pr-7.json");
    const log = execFileSync("git", ["log", "--format=%s", "dockhand-status"], {
      cwd: bed.repo.remote,
      encoding: "utf8",
    });
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
