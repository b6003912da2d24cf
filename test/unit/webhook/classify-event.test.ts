import { describe, expect, it } from "vitest";
import { classifyEvent, type EventContext, type EventDecision } from "../../../src/webhook/classify-event.js";
import { eventNames, exampleOf, examplesOf, pushToMaster } from "../../support/github-examples.js";

// The examples are pushes to Codertocat/Hello-World; the deploy repo here is that one, tracking master.
const CONTEXT: EventContext = { repository: "Codertocat/Hello-World", branch: "master", delivery: "d-1" };
const SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
const ZEROS = "0000000000000000000000000000000000000000";
const PR_SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

// Two apps build from Hello-World's master (written two ways), one from another repository.
const SOURCES: EventContext["sources"] = [
  { url: "https://github.com/Codertocat/Hello-World.git", branch: "master", apps: ["web"] },
  { url: "ssh://git@github.com/codertocat/hello-world", branch: "master", apps: ["api"] },
  { url: "https://github.com/acme/other.git", branch: "master", apps: ["other"] },
];

const ignore = (reason: string): EventDecision => ({ action: "ignore", reason });
const tagPush = () => exampleOf("push", (p) => p.ref === "refs/tags/simple-tag" && p.created === true);
const tagDelete = () => exampleOf("push", (p) => p.ref === "refs/tags/simple-tag" && p.deleted === true);

describe("classifyEvent with real GitHub payloads", () => {
  it.each<[string, string, () => unknown, Partial<EventContext>, EventDecision]>([
    [
      "a push to the tracked branch syncs production at `after`",
      "push",
      pushToMaster,
      {},
      { action: "sync", job: { trigger: "push", env: "production", sha: SHA, delivery: "d-1" } },
    ],
    [
      "the repository is compared case-insensitively",
      "push",
      pushToMaster,
      { repository: "codertocat/HELLO-world" },
      { action: "sync", job: { trigger: "push", env: "production", sha: SHA, delivery: "d-1" } },
    ],
    [
      "no delivery, no delivery in the job",
      "push",
      pushToMaster,
      { delivery: undefined },
      { action: "sync", job: { trigger: "push", env: "production", sha: SHA } },
    ],
    [
      "a push to another branch",
      "push",
      pushToMaster,
      { branch: "main" },
      ignore("push to refs/heads/master, not the tracked branch main"),
    ],
    [
      "a branch whose name only starts like the tracked one",
      "push",
      pushToMaster,
      { branch: "mast" },
      ignore("push to refs/heads/master, not the tracked branch mast"),
    ],
    ["a tag push", "push", tagPush, {}, ignore("push to refs/tags/simple-tag, not the tracked branch master")],
    ["a tag deletion", "push", tagDelete, {}, ignore("push to refs/tags/simple-tag, not the tracked branch master")],
    [
      "a push to another repository",
      "push",
      pushToMaster,
      { repository: "acme/deploy" },
      ignore("push to Codertocat/Hello-World: not the deploy repo acme/deploy nor a build.git of any app"),
    ],
    [
      "the tracked branch deleted (deleted: true, after all zeros)",
      "push",
      () => ({ ...pushToMaster(), deleted: true, after: ZEROS }),
      {},
      ignore("push deleted the tracked branch master; nothing to deploy"),
    ],
    [
      "after all zeros without the deleted flag",
      "push",
      () => ({ ...pushToMaster(), deleted: false, after: ZEROS }),
      {},
      ignore("push deleted the tracked branch master; nothing to deploy"),
    ],
    [
      "a push whose after is not a sha",
      "push",
      () => ({ ...pushToMaster(), after: "HEAD" }),
      {},
      ignore('push has no commit sha in "after" (got "HEAD")'),
    ],
    [
      "a push payload without ref",
      "push",
      () => ({ ...pushToMaster(), ref: undefined }),
      {},
      ignore("push payload is not as GitHub sends it: ref: expected string, received undefined"),
    ],
    [
      "a push payload that is not an object",
      "push",
      () => null,
      {},
      ignore("push payload is not as GitHub sends it: expected object, received null"),
    ],
    [
      "a push payload whose repository name is no string",
      "push",
      () => ({ ...pushToMaster(), repository: { full_name: 42 } }),
      {},
      ignore("push payload is not as GitHub sends it: repository.full_name: expected string, received number"),
    ],
    [
      "a push payload without the deleted flag GitHub always sends",
      "push",
      () => ({ ...pushToMaster(), deleted: undefined }),
      {},
      ignore("push payload is not as GitHub sends it: deleted: expected boolean, received undefined"),
    ],
    [
      "a push payload wrong in many places names three, and counts the rest",
      "push",
      () => ({ ref: 1, after: 2, deleted: "no" }),
      {},
      ignore(
        "push payload is not as GitHub sends it: ref: expected string, received number; after: expected string, received number; deleted: expected boolean, received string; and 1 more",
      ),
    ],
    [
      "a push to dockhand's status branch",
      "push",
      pushToMaster,
      { branch: "main", statusBranch: "master" },
      ignore("push to dockhand's status branch master: its own records never trigger a deploy"),
    ],
    [
      "a status branch that is the tracked branch is not special (a config mistake must not stop deploys)",
      "push",
      pushToMaster,
      { statusBranch: "master" },
      { action: "sync", job: { trigger: "push", env: "production", sha: SHA, delivery: "d-1" } },
    ],
    [
      "a push to another repository, even to a branch named like the status branch",
      "push",
      pushToMaster,
      { repository: "acme/deploy", statusBranch: "master" },
      ignore("push to Codertocat/Hello-World: not the deploy repo acme/deploy nor a build.git of any app"),
    ],
    [
      "a push to the deployed branch of a source repository syncs production for its apps",
      "push",
      pushToMaster,
      { repository: "acme/deploy", sources: SOURCES },
      {
        action: "sync",
        job: {
          trigger: "source",
          env: "production",
          delivery: "d-1",
          source: { repository: "Codertocat/Hello-World", branch: "master", sha: SHA, apps: ["api", "web"] },
        },
      },
    ],
    [
      "a push to another branch of a source repository",
      "push",
      pushToMaster,
      {
        repository: "acme/deploy",
        sources: [{ url: "git@github.com:Codertocat/Hello-World.git", branch: "release", apps: ["web"] }],
      },
      ignore("push to refs/heads/master of Codertocat/Hello-World; its apps deploy release"),
    ],
    [
      "a tag pushed to a source repository",
      "push",
      tagPush,
      { repository: "acme/deploy", sources: SOURCES },
      ignore("push to refs/tags/simple-tag of Codertocat/Hello-World; its apps deploy master"),
    ],
    [
      "a push to a repository that only shares the name with a source",
      "push",
      pushToMaster,
      {
        repository: "acme/deploy",
        sources: [{ url: "https://github.com/acme/Hello-World.git", branch: "master", apps: ["web"] }],
      },
      ignore("push to Codertocat/Hello-World: not the deploy repo acme/deploy nor a build.git of any app"),
    ],
    [
      "a pull request on a source repository into the branch its apps deploy",
      "pull_request",
      () => exampleOf("pull_request", (x) => x.action === "opened"),
      { repository: "acme/deploy", sources: SOURCES },
      {
        action: "preview",
        request: {
          action: "deploy",
          event: "opened",
          number: 2,
          sha: PR_SHA,
          ref: "changes",
          fork: false,
          delivery: "d-1",
          source: {
            repository: "Codertocat/Hello-World",
            branch: "master",
            urls: ["https://github.com/Codertocat/Hello-World.git", "ssh://git@github.com/codertocat/hello-world"],
          },
        },
      },
    ],
    [
      "a pull request on a source repository into another branch",
      "pull_request",
      () => exampleOf("pull_request", (x) => x.action === "opened"),
      {
        repository: "acme/deploy",
        sources: [{ url: "https://github.com/Codertocat/Hello-World", branch: "main", apps: ["web"] }],
      },
      ignore("pull request #2 on Codertocat/Hello-World targets master; its apps deploy main"),
    ],
    ["a ping", "ping", () => examplesOf("ping")[0], {}, ignore("pong")],
    [
      "a pull request opened: a preview deploy of its head",
      "pull_request",
      () => exampleOf("pull_request", (p) => p.action === "opened"),
      {},
      {
        action: "preview",
        request: {
          action: "deploy",
          event: "opened",
          number: 2,
          sha: PR_SHA,
          ref: "changes",
          fork: false,
          delivery: "d-1",
        },
      },
    ],
    [
      "a pull request from a fork",
      "pull_request",
      () => {
        const p = exampleOf("pull_request", (x) => x.action === "synchronize") as {
          pull_request: { head: { repo: { full_name: string } } };
        };
        p.pull_request.head.repo.full_name = "someone/Hello-World";
        return p;
      },
      {},
      {
        action: "preview",
        request: {
          action: "deploy",
          event: "synchronize",
          number: 2,
          sha: PR_SHA,
          ref: "changes",
          fork: true,
          delivery: "d-1",
          labels: ["bug"],
          installationId: 1,
        },
      },
    ],
    [
      "a pull request into another branch",
      "pull_request",
      () => exampleOf("pull_request", (p) => p.action === "opened"),
      { branch: "main" },
      ignore("pull request #2 targets master, not the tracked branch main"),
    ],
    [
      "a pull request on another repository",
      "pull_request",
      () => exampleOf("pull_request", (p) => p.action === "closed"),
      { repository: "acme/deploy" },
      ignore("pull request on Codertocat/Hello-World: not the deploy repo acme/deploy nor a build.git of any app"),
    ],
    [
      "a pull request payload without a head",
      "pull_request",
      () => ({ action: "opened", number: 3, repository: { full_name: "Codertocat/Hello-World" } }),
      {},
      ignore("pull_request payload is not as GitHub sends it: pull_request: expected object, received undefined"),
    ],
    [
      "a pull request payload with a label that has no name",
      "pull_request",
      () => {
        const p = exampleOf("pull_request", (x) => x.action === "opened") as { pull_request: { labels: unknown[] } };
        p.pull_request.labels = [{ id: 1 }];
        return p;
      },
      {},
      ignore(
        "pull_request payload is not as GitHub sends it: pull_request.labels[0].name: expected string, received undefined",
      ),
    ],
    [
      "a pull request whose head repository is gone (a deleted fork) counts as a fork",
      "pull_request",
      () => {
        const p = exampleOf("pull_request", (x) => x.action === "opened") as {
          pull_request: { head: { repo: unknown } };
        };
        p.pull_request.head.repo = null;
        return p;
      },
      {},
      {
        action: "preview",
        request: {
          action: "deploy",
          event: "opened",
          number: 2,
          sha: PR_SHA,
          ref: "changes",
          fork: true,
          delivery: "d-1",
        },
      },
    ],
    [
      "a pull request action GitHub adds later is ignored, not refused",
      "pull_request",
      () => ({ ...exampleOf("pull_request", (x) => x.action === "opened"), action: "teleported" }),
      {},
      ignore("pull_request action teleported is not used"),
    ],
    ["an issue", "issues", () => examplesOf("issues")[0], {}, ignore("event issues is not used")],
  ])("%s", (_name, event, payload, context, expected) => {
    expect(classifyEvent(event, payload(), { ...CONTEXT, ...context })).toEqual(expected);
  });

  it.each(examplesOf("ping").map((p, i) => [i, p] as const))("every ping example (#%i) is a pong", (_i, payload) => {
    expect(classifyEvent("ping", payload, CONTEXT)).toEqual(ignore("pong"));
  });

  const PREVIEW: Record<string, string> = {
    opened: "deploy",
    reopened: "deploy",
    synchronize: "deploy",
    closed: "teardown",
  };
  it.each(examplesOf("pull_request").map((p) => [String(p.action), p] as const))(
    "every pull_request example: opened, reopened, synchronize and closed go to previews, the rest is ignored (%s)",
    (action, payload) => {
      const decision = classifyEvent("pull_request", payload, CONTEXT);
      const kind = PREVIEW[action];
      if (kind) expect(decision).toMatchObject({ action: "preview", request: { action: kind, number: 2 } });
      else expect(decision).toEqual(ignore(`pull_request action ${action} is not used`));
    },
  );

  it("every push example syncs only when it is the tracked branch", () => {
    const decisions = examplesOf("push").map((p) => [p.ref, classifyEvent("push", p, CONTEXT).action]);
    expect(decisions).toEqual(
      examplesOf("push").map((p) => [p.ref, p.ref === "refs/heads/master" ? "sync" : "ignore"]),
    );
  });

  it.each(eventNames().filter((n) => !["ping", "push", "pull_request"].includes(n)))("%s is not used", (name) => {
    for (const payload of examplesOf(name))
      expect(classifyEvent(name, payload, CONTEXT)).toEqual(ignore(`event ${name} is not used`));
  });
});
