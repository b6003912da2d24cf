/**
 * Credentials against the fake GitHub: an App's JWT and installation tokens
 * (auth-app's, retried through GitHub's replication delay; their renewal is
 * in installation-tokens.test.ts), a personal token, GitHub Enterprise's URL
 * shape, and the messages for a wrong App ID, a missing installation or a
 * revoked token. Every request must fit GitHub's REST description.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createGitHubClient, readGitHubSettings } from "../../../src/github/index.js";
import { DockhandError } from "../../../src/model/index.js";
import {
  closeRig,
  type GitHubRig,
  INSTALLATION,
  listStatuses,
  PAT,
  quietLog,
  REPOSITORY,
  SHA,
  startRig,
} from "./github-fixtures.js";

let rig: GitHubRig | undefined;
afterEach(async () => {
  await closeRig(rig);
  rig = undefined;
});

async function failureOf(work: Promise<unknown>): Promise<DockhandError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DockhandError)) throw new Error(`expected a DockhandError, got ${String(err)}`);
  return err;
}

describe("GitHub App auth", () => {
  it("finds the installation with the App's JWT, then writes with an installation token", async () => {
    rig = await startRig("app");
    await listStatuses(rig);
    expect(rig.fake.requests.map((r) => `${r.operationId} ${r.credential}`)).toEqual([
      "apps/get-repo-installation jwt",
      "apps/create-installation-access-token jwt",
      `repos/list-commit-statuses-for-ref ${rig.fake.issuedTokens[0]?.token}`,
    ]);
    expect(rig.fake.issuedTokens[0]?.installationId).toBe(INSTALLATION);
  });

  it("uses the webhook's installation id without looking it up, and one token for many requests", async () => {
    rig = await startRig("app");
    await listStatuses(rig, REPOSITORY, INSTALLATION);
    await listStatuses(rig, REPOSITORY, INSTALLATION);
    expect(rig.fake.calls("apps/get-repo-installation")).toHaveLength(0);
    expect(rig.fake.issuedTokens).toHaveLength(1);
  });

  it("retries, through auth-app, a new token GitHub refuses for its first 2 s (replication delay)", async () => {
    rig = await startRig("app", { fake: { now: () => Date.now(), newTokenDelayMs: 2000 } });
    const started = Date.now();
    const { status } = await listStatuses(rig, REPOSITORY, INSTALLATION);
    expect(status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    const token = rig.fake.issuedTokens[0]?.token;
    expect(rig.fake.issuedTokens).toHaveLength(1);
    const calls = rig.fake.calls("repos/list-commit-statuses-for-ref");
    expect(calls.map((r) => [r.status, r.credential])).toEqual([
      [401, token],
      [401, token],
      [200, token],
    ]);
  });

  it("says how to fix a wrong App ID", async () => {
    rig = await startRig("app", { env: { GITHUB_APP_ID: "999" } });
    const err = await failureOf(listStatuses(rig));
    expect(err.code).toBe("DOCKHAND_E_GITHUB");
    expect(err.message).toMatch(
      /^GitHub refused the App's signed token \(Integration not found.*\): check that GITHUB_APP_ID is the App's numeric ID and that GITHUB_APP_PRIVATE_KEY is one of its current private keys/,
    );
  });

  it("says how to fix a wrong App ID when the webhook named the installation (the token request is refused)", async () => {
    rig = await startRig("app", { env: { GITHUB_APP_ID: "999" } });
    const err = await failureOf(listStatuses(rig, REPOSITORY, INSTALLATION));
    expect(err.code).toBe("DOCKHAND_E_GITHUB");
    expect(err.message).toMatch(/^GitHub refused the App's signed token \(Integration not found/);
    expect(rig.fake.requests.map((r) => `${r.operationId} ${r.status}`)).toEqual([
      "apps/create-installation-access-token 401",
    ]);
  });

  it("checks the credentials and the installation up front", async () => {
    rig = await startRig("app");
    await rig.client.check(REPOSITORY);
    const wrong = await startRig("app", { env: { GITHUB_APP_ID: "999" } });
    const err = await failureOf(wrong.client.check(REPOSITORY));
    await wrong.fake.close();
    expect(err.message).toMatch(/^GitHub refused the App's signed token \(Integration not found/);
    const token = await startRig("token", { env: { GITHUB_TOKEN: "ghp_revoked" } });
    const refused = await failureOf(token.client.check(REPOSITORY));
    await token.fake.close();
    expect(refused.message).toMatch(/^GitHub refused GITHUB_TOKEN \(Bad credentials/);
  });

  it("says so when the App is not installed on the repository", async () => {
    rig = await startRig("app");
    const err = await failureOf(listStatuses(rig, "acme/elsewhere"));
    expect(err.message).toBe(
      "the GitHub App is not installed on acme/elsewhere: install it (the App's settings ─▶ Install App) with access to that repository",
    );
  });
});

describe("token auth, API URL and resilience", () => {
  it("uses GITHUB_TOKEN as it is", async () => {
    rig = await startRig("token");
    expect(rig.client.mode).toBe("token");
    await listStatuses(rig);
    expect(rig.fake.requests.map((r) => r.credential)).toEqual([PAT]);
  });

  it("talks to GitHub Enterprise under /api/v3", async () => {
    rig = await startRig("app", { fake: { pathPrefix: "/api/v3" } });
    expect(rig.fake.url).toMatch(/\/api\/v3$/);
    await listStatuses(rig);
    expect(rig.fake.requests).toHaveLength(3);
  });

  it("retries a 502 and honours a secondary rate limit's retry-after", async () => {
    rig = await startRig("token");
    rig.fake.failNext("repos/list-commit-statuses-for-ref", { status: 502, body: { message: "Server Error" } });
    rig.fake.failNext("repos/list-commit-statuses-for-ref", {
      status: 403,
      headers: { "retry-after": "2" },
      body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." },
    });
    const { status } = await listStatuses(rig);
    expect(status).toBe(200);
    expect(rig.fake.calls("repos/list-commit-statuses-for-ref").map((r) => r.status)).toEqual([502, 403, 200]);
  });

  it("waits out a primary rate limit that resets soon", async () => {
    rig = await startRig("token");
    rig.fake.failNext("repos/list-commit-statuses-for-ref", {
      status: 403,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000)) },
      body: { message: "API rate limit exceeded for installation ID 77." },
    });
    await listStatuses(rig);
    expect(rig.fake.calls("repos/list-commit-statuses-for-ref").map((r) => r.status)).toEqual([403, 200]);
  });

  it("says a refused GITHUB_TOKEN is wrong, expired or revoked", async () => {
    rig = await startRig("token", { env: { GITHUB_TOKEN: "ghp_revoked" } });
    const octokit = await rig.client.forRepo(REPOSITORY);
    const { GitHubDeployReporter } = await import("../../../src/github/index.js");
    const reporter = new GitHubDeployReporter({ client: rig.client, repository: REPOSITORY, log: quietLog });
    const err = await failureOf(reporter.started({ env: "production", sha: SHA, trigger: "push", startedAt: 0 }));
    expect(err.message).toBe(
      "GitHub refused GITHUB_TOKEN (Bad credentials - https://docs.github.com/rest): it is wrong, expired or revoked; create a new one with access to acme/deploy",
    );
    expect(octokit).toBeDefined();
  });

  it("reads GITHUB_API_URL, defaulting to api.github.com", () => {
    const settings = readGitHubSettings({ GITHUB_TOKEN: "x" });
    expect(settings?.apiUrl).toBe("https://api.github.com");
    const client = createGitHubClient({ settings: settings!, log: quietLog });
    expect(client.apiUrl).toBe("https://api.github.com");
  });
});
