/**
 * From a real pull_request payload (@octokit/webhooks-examples) to the job a
 * worker runs: classifyEvent's preview request, then pullRequestJob.
 */
import { describe, expect, it } from "vitest";
import { classifyEvent } from "../../../../src/webhook/classify-event.js";
import { pullRequestJob } from "../../../../src/worker/previews/pull-request-job.js";
import { exampleOf } from "../../../support/github-examples.js";

const CONTEXT = { repository: "Codertocat/Hello-World", branch: "master", delivery: "d-9" };

interface Payload {
  pull_request: { merged: boolean };
  label: { name: string };
}

function jobOf(action: string, tweak: (p: Payload) => void = () => undefined) {
  const payload = exampleOf(
    "pull_request",
    (p) => p.action === action && (p.installation as object | undefined) !== undefined,
  );
  tweak(payload as unknown as Payload);
  const decision = classifyEvent("pull_request", payload, CONTEXT);
  if (decision.action !== "preview") return decision;
  return pullRequestJob(decision.request, CONTEXT.repository, CONTEXT.branch);
}

describe("pull request jobs", () => {
  it("an opened PR is a job of env pr-<n> carrying the PR", () => {
    expect(jobOf("opened")).toEqual({
      trigger: "pull_request",
      env: "pr-2",
      sha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
      delivery: "d-9",
      installationId: 1,
      pullRequest: {
        number: 2,
        action: "opened",
        repository: "Codertocat/Hello-World",
        headSha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
        headRef: "changes",
        baseRef: "master",
        fork: false,
        merged: false,
        labels: ["bug"],
      },
    });
  });

  it("a merged PR is a closed one that says so", () => {
    const job = jobOf("closed", (p) => {
      p.pull_request.merged = true;
    });
    expect(job).toMatchObject({ env: "pr-2", pullRequest: { action: "closed", merged: true } });
  });

  it("adding the label dockhand:preview asks for the preview again; other labels are ignored", () => {
    const labelled = jobOf("labeled", (p) => {
      p.label.name = "dockhand:preview";
    });
    // "labeled", not a push: the preview's TTL keeps counting from the last push.
    expect(labelled).toMatchObject({ env: "pr-2", pullRequest: { action: "labeled" } });
    expect(jobOf("labeled")).toEqual({ action: "ignore", reason: "pull_request action labeled is not used" });
  });
});
