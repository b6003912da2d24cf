/**
 * The fake GitHub itself: it must take what GitHub takes and flag what GitHub
 * would refuse or silently ignore, or every test built on it proves nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testApp } from "../../support/fake-github/app-credentials.js";
import { type FakeGitHub, startFakeGitHub } from "../../support/fake-github/fake-github.js";

const TOKEN = "ghp_test";
let fake: FakeGitHub;

beforeAll(async () => {
  fake = await startFakeGitHub({ tokens: [TOKEN], app: testApp(), installations: { "acme/deploy": 7 } });
});
afterAll(() => fake.close());

async function call(method: string, path: string, body?: unknown, token = TOKEN) {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: {
      authorization: `token ${token}`,
      "user-agent": "dockhand-test",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

function violationsSince(start: number): string[] {
  return fake.requests.slice(start).flatMap((r) => r.violations);
}

describe("fake GitHub", () => {
  it("takes a valid request, remembers it and answers in the described shape", async () => {
    const start = fake.requests.length;
    const created = await call("POST", "/repos/acme/deploy/check-runs", {
      name: "dockhand/production",
      head_sha: "a".repeat(40),
      status: "in_progress",
      output: { title: "Rolling", summary: "2 apps" },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: "dockhand/production", status: "in_progress", conclusion: null });
    const listed = await call(
      "GET",
      `/repos/acme/deploy/commits/${"a".repeat(40)}/check-runs?check_name=dockhand%2Fproduction`,
    );
    expect(listed.json.total_count).toBe(1);
    expect(violationsSince(start)).toEqual([]);
    expect(fake.resources.checkRuns.at(-1)?.output.summary).toBe("2 apps");
  });

  it.each([
    ["a wrong type", { name: 42, head_sha: "abc" }, "body/name must be string"],
    ["a missing required key", { name: "x" }, "body must have required property 'head_sha'"],
    [
      "a value outside the enum",
      { name: "x", head_sha: "abc", status: "running" },
      "body/status must be equal to one of the allowed values",
    ],
    ["a key GitHub would ignore", { name: "x", head_sha: "abc", colour: "red" }, "body has unknown key colour"],
    [
      "a summary over 65,535 characters",
      { name: "x", head_sha: "abc", output: { title: "t", summary: "x".repeat(65_536) } },
      "body/output/summary must NOT have more than 65535 characters",
    ],
  ])("flags a body with %s", async (_what, body, violation) => {
    const start = fake.requests.length;
    const answer = await call("POST", "/repos/acme/deploy/check-runs", body);
    expect(answer.status).toBe(422);
    expect(violationsSince(start)).toContain(violation);
  });

  it("flags unknown paths, unknown query parameters and query values of the wrong type", async () => {
    const start = fake.requests.length;
    expect((await call("GET", "/repos/acme/deploy/check-runz")).status).toBe(404);
    await call("GET", "/repos/acme/deploy/issues/1/comments?perpage=100");
    await call("GET", "/repos/acme/deploy/issues/1/comments?per_page=many");
    await call("PATCH", "/repos/acme/deploy/issues/comments/abc", { body: "x" });
    expect(violationsSince(start)).toEqual([
      "no operation of GitHub's REST description has this method and path",
      "query parameter perpage is not in the description",
      "query parameter per_page/value must be integer",
      "path parameter comment_id/value must be integer",
    ]);
  });

  it("refuses bad credentials the way GitHub does, without calling them violations", async () => {
    const start = fake.requests.length;
    const answer = await call("GET", "/repos/acme/deploy/issues/1/comments", undefined, "ghp_wrong");
    expect(answer.status).toBe(401);
    expect(answer.json.message).toBe("Bad credentials");
    const jwt = await call("POST", "/app/installations/7/access_tokens", undefined, "not.a.jwt");
    expect(jwt.status).toBe(401);
    expect(violationsSince(start)).toEqual([]);
  });

  it("pages lists with a Link header, 30 a page unless asked", async () => {
    for (let i = 0; i < 35; i++) fake.resources.addComment("acme/deploy", 9, `comment ${i}`);
    const first = await fetch(`${fake.url}/repos/acme/deploy/issues/9/comments`, {
      headers: { authorization: `token ${TOKEN}`, "user-agent": "t" },
    });
    expect(((await first.json()) as unknown[]).length).toBe(30);
    expect(first.headers.get("link")).toMatch(/page=2>; rel="next"/);
    const second = await call("GET", "/repos/acme/deploy/issues/9/comments?page=2");
    expect(Object.keys(second.json)).toHaveLength(5);
  });

  it("answers injected failures instead, then recovers", async () => {
    fake.failNext("issues/list-comments", { status: 502, body: { message: "Server Error" } });
    expect((await call("GET", "/repos/acme/deploy/issues/1/comments")).status).toBe(502);
    expect((await call("GET", "/repos/acme/deploy/issues/1/comments")).status).toBe(200);
  });
});
