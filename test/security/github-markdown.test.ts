/**
 * A pull request's YAML can make dockhand quote it: a bad value lands in a
 * config error, which lands in the PR comment and in check runs. Written by
 * dockhand's bot, `@someone` would notify that person, `#1` would put a
 * "mentioned" event on issue 1, and a URL would be a link dockhand vouches
 * for. Through the fake GitHub: every piece of such text arrives in code or
 * with GitHub's autolinks broken, and still reads the same.
 */
import { afterEach, describe, expect, it } from "vitest";
import { parseDeployRepo } from "../../src/config/index.js";
import { GitHubDeployReporter, GitHubPullRequestReporter } from "../../src/github/index.js";
import {
  ConfigError,
  type DeployOutcome,
  type OutcomeError,
  type SyncReportContext,
  WORD_JOINER,
} from "../../src/model/index.js";
import {
  closeRig,
  type GitHubRig,
  pullRequest,
  quietLog,
  REPOSITORY,
  SHA,
  startRig,
} from "../integration/github/github-fixtures.js";
import type { CheckRunRecord } from "../support/fake-github/fake-resources.js";
import { linkableOutsideCode } from "../support/markdown-links.js";
import { repoWith } from "../unit/config/deploy-repo-fixture.js";

const HOSTILE = "@someone #1 https://evil.example";

let rig: GitHubRig | undefined;
afterEach(async () => {
  await closeRig(rig);
  rig = undefined;
});

/** The config error the real parser makes of a PR head with hostile values. */
function hostileConfigError(): OutcomeError {
  const web = `name: web\nimage: busybox:stable\nport: 8080\nreplicas: "${HOSTILE}"\n"${HOSTILE}": 1\n`;
  try {
    parseDeployRepo(repoWith({ "apps/web.yaml": web }));
  } catch (err) {
    if (err instanceof ConfigError) return { code: err.code, message: err.message, issues: err.issues };
    throw err;
  }
  throw new Error("the hostile deploy repo parsed");
}

const pr = pullRequest({ fork: true });

/** dockhand's own marker and its reference to the PR it comments on are the only things allowed to link. */
function linkable(markdown: string): string[] {
  return linkableOutsideCode(markdown).filter((f) => !f.includes("dockhand · #42") && !f.includes("<!-- dockhand -->"));
}

/** Every text of a check run GitHub shows; annotations are plain text, so only links and mentions count there. */
function checkRunLinkable(run: CheckRunRecord | undefined): string[] {
  const annotations = (run?.output.annotations ?? []) as Array<{ title: string; message: string }>;
  return [
    ...linkable(run?.output.title ?? ""),
    ...linkable(run?.output.summary ?? ""),
    ...linkable(run?.output.text ?? ""),
    ...annotations.flatMap((a) => linkable(`${a.title}\n${a.message}`).filter((f) => !f.startsWith("HTML"))),
  ];
}

/** The text as a reader sees it, word joiners taken out. */
const shown = (text: string | null | undefined) => (text ?? "").replaceAll(WORD_JOINER, "");

describe("hostile text from a pull request's YAML in what dockhand writes to GitHub", () => {
  it.each([
    ["a config error", hostileConfigError],
    [
      "an error that is not a config error",
      (): OutcomeError => ({ code: "DOCKHAND_E_GIT", message: `cannot read branch "${HOSTILE}"` }),
    ],
  ])("%s is neutralised in the PR comment and the plan check", async (_what, makeError) => {
    rig = await startRig("app");
    const error = makeError();
    expect(`${error.message}\n${error.issues?.map((i) => i.message).join("\n")}`).toContain(HOSTILE);
    await new GitHubPullRequestReporter({ client: rig.client, log: quietLog }).report({
      pullRequest: pr,
      error,
      at: 0,
    });

    const comment = rig.fake.resources.comments[0]?.body ?? "";
    expect(linkable(comment)).toEqual([]);
    expect(shown(comment)).toContain(HOSTILE);
    const check = rig.fake.resources.checkRuns.find((r) => r.name === "dockhand/plan");
    expect(check?.conclusion).toBe("failure");
    expect(checkRunLinkable(check)).toEqual([]);
    expect(shown(check?.output.summary)).toContain(HOSTILE);
  });

  it("a config error, an app's error, its log tail and health log are neutralised in the deploy check run", async () => {
    rig = await startRig("app");
    const ctx: SyncReportContext = { env: "production", sha: SHA, trigger: "push", startedAt: 0, installationId: 77 };
    const reporter = new GitHubDeployReporter({ client: rig.client, repository: REPOSITORY, log: quietLog });
    const invalid: DeployOutcome = { sha: SHA, status: "failed", apps: [], error: hostileConfigError() };
    await reporter.finished(ctx, { outcome: invalid, finishedAt: 0 });
    expect(checkRunLinkable(rig.fake.resources.checkRuns[0])).toEqual([]);
    expect(shown(rig.fake.resources.checkRuns[0]?.output.summary)).toContain(HOSTILE);

    const next = { ...ctx, sha: "1111111111111111111111111111111111111111" };
    const failed: DeployOutcome = {
      sha: next.sha,
      status: "failed",
      apps: [
        {
          app: "web",
          env: "production",
          status: "rolledBack",
          durationMs: 1,
          failedStep: "hook",
          error: { code: "DOCKHAND_E_HOOK", message: `hook said ${HOSTILE}`, logsTail: HOSTILE, healthLog: HOSTILE },
        },
      ],
    };
    await reporter.finished(next, { outcome: failed, finishedAt: 0 });
    const run = rig.fake.resources.checkRuns[1];
    expect(checkRunLinkable(run)).toEqual([]);
    expect(shown(run?.output.summary)).toContain(`hook said ${HOSTILE}`);
  });
});
