/**
 * A fake GitHub and dockhand's client pointed at it, in App or token mode,
 * with writes unpaced and retry waits in milliseconds so tests stay fast.
 */
import pino from "pino";
import { expect } from "vitest";
import { createGitHubClient, type GitHubClient, readGitHubSettings } from "../../../src/github/index.js";
import type { PlannedSync, PullRequestInfo } from "../../../src/model/index.js";
import { plan, renderPlanMarkdown } from "../../../src/planner/index.js";
import { testApp } from "../../support/fake-github/app-credentials.js";
import { type FakeGitHub, type FakeGitHubOptions, startFakeGitHub } from "../../support/fake-github/fake-github.js";
import { app, desired, host, observe } from "../../unit/planner/fixtures.js";

export const REPOSITORY = "acme/deploy";
export const INSTALLATION = 77;
export const PAT = "ghp_0123456789abcdef";
export const SHA = "0123456789abcdef0123456789abcdef01234567";

export const quietLog = pino({ level: process.env.DOCKHAND_TEST_LOG ?? "silent" });

export interface GitHubRig {
  fake: FakeGitHub;
  client: GitHubClient;
  clock: { now: number };
}

export async function startRig(
  mode: "app" | "token",
  over: { env?: Record<string, string>; fake?: FakeGitHubOptions } = {},
): Promise<GitHubRig> {
  const clock = { now: Date.now() };
  const now = () => clock.now;
  const fake = await startFakeGitHub({
    app: testApp(),
    installations: { [REPOSITORY]: INSTALLATION },
    tokens: [PAT],
    now,
    ...over.fake,
  });
  const env =
    mode === "app"
      ? { GITHUB_APP_ID: String(testApp().appId), GITHUB_APP_PRIVATE_KEY: testApp().privateKeyPem }
      : { GITHUB_TOKEN: PAT };
  const settings = readGitHubSettings({ GITHUB_API_URL: fake.url, ...env, ...over.env });
  if (!settings) throw new Error("no GitHub settings");
  const client = createGitHubClient({ settings, log: quietLog, now, writeIntervalMs: 0, retryUnitMs: 5 });
  return { fake, client, clock };
}

/** A read with the credentials the client picks for `repository` (an installation token, or the personal token). */
export async function listStatuses(rig: GitHubRig, repository = REPOSITORY, installationId?: number) {
  const octokit = await rig.client.forRepo(repository, installationId);
  const [owner = "", repo = ""] = repository.split("/");
  return octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/statuses", { owner, repo, ref: SHA });
}

/** For afterEach: fails the test if the code sent a request GitHub would refuse, then closes the fake. */
export async function closeRig(rig: GitHubRig | undefined): Promise<void> {
  if (!rig) return;
  try {
    expect(rig.fake.violations).toEqual([]);
  } finally {
    await rig.fake.close();
  }
}

/** Pull request #42 on the deploy repo, opened from `feature` at SHA. */
export function pullRequest(over: Partial<PullRequestInfo> = {}): PullRequestInfo {
  return {
    number: 42,
    action: "opened",
    repository: REPOSITORY,
    headSha: SHA,
    headRef: "feature",
    baseRef: "main",
    fork: false,
    merged: false,
    labels: [],
    ...over,
  };
}

/** A real plan of `count` apps against empty hosts, with its markdown. */
export function plannedApps(count: number, names = (i: number) => `app${String(i).padStart(4, "0")}`): PlannedSync {
  const hosts = [host("alpha", { capacity: 10_000 }), host("beta", { capacity: 10_000 })];
  const apps = Array.from({ length: count }, (_, i) =>
    app(names(i), { replicas: 2, hostnames: [`${names(i)}.example.com`] }),
  );
  const want = desired(hosts, apps);
  want.source = { repo: "acme/deploy", sha: SHA };
  const made = plan(want, observe(hosts, []));
  return { plan: made, desired: want, markdown: renderPlanMarkdown(made) };
}
