import Fastify from "fastify";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookRoutes } from "../../../src/webhook/webhook-routes.js";
import { exampleOf, examplesOf, pushToMaster, sign } from "../../support/github-examples.js";
import { githubHeaders, SECRET, type WebhookApp, webhookApp } from "./webhook-app.js";

const SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
const PUSH = JSON.stringify(pushToMaster());

let t: WebhookApp;
beforeAll(async () => {
  t = await webhookApp();
});
afterAll(async () => {
  await t.app.close();
});

async function post(headers: Record<string, string | undefined>, payload: string | Buffer) {
  const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  const res = await t.app.inject({ method: "POST", url: "/webhooks/github", headers: clean, payload });
  return { code: res.statusCode, body: res.json() as { status: string; reason: string } };
}

describe("POST /webhooks/github: real example payloads, signed", () => {
  it("queues a push to the tracked branch with jobId push-<delivery>, 202", async () => {
    const res = await post(githubHeaders("push", "a1b2c3d4-0001", PUSH), PUSH);
    expect(res).toEqual({
      code: 202,
      body: { status: "queued", reason: `sync of production at ${SHA} queued`, job: "job-push-a1b2c3d4-0001" },
    });
    expect(t.queued.at(-1)).toEqual({
      job: { trigger: "push", env: "production", sha: SHA, delivery: "a1b2c3d4-0001" },
      jobId: "push-a1b2c3d4-0001",
    });
  });

  it("answers duplicate for a redelivery (same X-GitHub-Delivery)", async () => {
    await post(githubHeaders("push", "a1b2c3d4-0002", PUSH), PUSH);
    const again = await post(githubHeaders("push", "a1b2c3d4-0002", PUSH), PUSH);
    expect(again).toEqual({
      code: 202,
      body: { status: "duplicate", reason: "delivery a1b2c3d4-0002 was already queued", job: "job-push-a1b2c3d4-0002" },
    });
  });

  it.each([
    ["ping", () => examplesOf("ping")[0], "pong"],
    [
      "push",
      () => exampleOf("push", (p) => p.ref === "refs/tags/simple-tag"),
      "push to refs/tags/simple-tag, not the tracked branch master",
    ],
    ["pull_request", () => examplesOf("pull_request")[0], "previews are not enabled: pull request #2 left alone"],
    ["issues", () => examplesOf("issues")[0], "event issues is not used"],
    [
      "push",
      () => ({ ...pushToMaster(), after: ["6113728f27ae82c7b1a177c8d03f9e96e0adf246"] }),
      "push payload is not as GitHub sends it: after: expected string, received array",
    ],
  ])("ignores %s with its reason, 202", async (event, payload, reason) => {
    const body = JSON.stringify(payload());
    const before = t.queued.length;
    expect(await post(githubHeaders(event, `ignored-${event}`, body), body)).toEqual({
      code: 202,
      body: { status: "ignored", reason },
    });
    expect(t.queued.length).toBe(before);
  });

  it("accepts a form-encoded delivery (payload=<JSON>), signed over the form body", async () => {
    const form = `payload=${encodeURIComponent(PUSH)}`;
    const headers = {
      ...githubHeaders("push", "form-0001", form),
      "content-type": "application/x-www-form-urlencoded",
    };
    expect(await post(headers, form)).toMatchObject({ code: 202, body: { status: "queued" } });
    expect(t.queued.at(-1)?.jobId).toBe("push-form-0001");
  });

  it("accepts application/json with a charset", async () => {
    const headers = {
      ...githubHeaders("push", "charset-0001", PUSH),
      "content-type": "application/json; charset=utf-8",
    };
    expect(await post(headers, PUSH)).toMatchObject({ code: 202, body: { status: "queued" } });
  });

  it("checks the signature on the raw bytes: reformatted JSON with the old signature is refused", async () => {
    const headers = githubHeaders("push", "raw-0001", PUSH);
    const reformatted = JSON.stringify(JSON.parse(PUSH), null, 2);
    expect((await post(headers, reformatted)).code).toBe(401);
  });

  it("never logs the secret or the signature", async () => {
    await post(githubHeaders("push", "log-0001", PUSH), PUSH);
    const logged = t.logs.join("");
    expect(logged).toContain("log-0001");
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain(sign(SECRET, PUSH).slice(7));
  });
});

describe("POST /webhooks/github: refusals", () => {
  const ok = (delivery: string) => githubHeaders("push", delivery, PUSH);
  it.each<[string, Record<string, string | undefined>, string | Buffer, number, string]>([
    [
      "no signature",
      { ...ok("r1"), "x-hub-signature-256": undefined },
      PUSH,
      401,
      "X-Hub-Signature-256 is missing; give the webhook a secret",
    ],
    [
      "a wrong secret",
      githubHeaders("push", "r2", PUSH, "other"),
      PUSH,
      401,
      "X-Hub-Signature-256 does not match; the webhook's secret differs from ours",
    ],
    [
      "a sha1 signature only",
      { ...ok("r3"), "x-hub-signature-256": undefined, "x-hub-signature": "sha1=abc" },
      PUSH,
      401,
      "X-Hub-Signature-256 is missing; give the webhook a secret",
    ],
    [
      "a tampered body",
      ok("r4"),
      PUSH.replace(SHA, "f".repeat(40)),
      401,
      "X-Hub-Signature-256 does not match; the webhook's secret differs from ours",
    ],
    ["no X-GitHub-Event", { ...ok("r5"), "x-github-event": undefined }, PUSH, 400, "X-GitHub-Event is missing"],
    [
      "no X-GitHub-Delivery",
      { ...ok("r6"), "x-github-delivery": undefined },
      PUSH,
      400,
      "X-GitHub-Delivery is missing or not an id of letters, digits, '-', '_', '.'",
    ],
    [
      "an X-GitHub-Delivery with a colon",
      ok("a:b"),
      PUSH,
      400,
      "X-GitHub-Delivery is missing or not an id of letters, digits, '-', '_', '.'",
    ],
    ["an empty body", { ...ok("r7"), "x-hub-signature-256": sign(SECRET, "x") }, "", 400, "body is empty or not UTF-8"],
    [
      "a body that is not UTF-8",
      { ...ok("r8"), "x-hub-signature-256": sign(SECRET, Buffer.from([0x7b, 0xff, 0x7d])) },
      Buffer.from([0x7b, 0xff, 0x7d]),
      400,
      "body is empty or not UTF-8",
    ],
    [
      "text/plain",
      { ...ok("r9"), "content-type": "text/plain" },
      PUSH,
      415,
      "content type is not accepted; set the webhook's to application/json",
    ],
    [
      "no content type",
      { ...ok("r10"), "content-type": undefined },
      PUSH,
      415,
      "content type is not accepted; set the webhook's to application/json",
    ],
  ])("%s ─▶ %i", async (_name, headers, payload, code, reason) => {
    expect(await post(headers, payload)).toEqual({ code, body: { status: "rejected", reason } });
  });

  it("GitHub's test vector passes the signature check, then fails as not JSON (400, not 401)", async () => {
    const secret = "It's a Secret to Everybody";
    const vector = await webhookApp({ secrets: [secret] });
    const res = await vector.app.inject({
      method: "POST",
      url: "/webhooks/github",
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": "vector",
        "x-hub-signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
      },
      payload: "Hello, World!",
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().reason).toMatch(/^body is not JSON: /);
    await vector.app.close();
  });

  it("rotation: a delivery signed with the second secret is accepted", async () => {
    const rotating = await webhookApp({ secrets: ["brand-new", SECRET] });
    const res = await rotating.app.inject({
      method: "POST",
      url: "/webhooks/github",
      headers: githubHeaders("push", "rot-1", PUSH),
      payload: PUSH,
    });
    expect(res.statusCode).toBe(202);
    expect(rotating.queued).toHaveLength(1);
    await rotating.app.close();
  });

  it("413 over the body limit (default 25 MB, GitHub's maximum)", async () => {
    const big = `{"pad":"${"x".repeat(25 * 1024 * 1024)}"}`;
    const res = await t.app.inject({
      method: "POST",
      url: "/webhooks/github",
      headers: githubHeaders("push", "big", big),
      payload: big,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      status: "rejected",
      reason: "body is over 26214400 bytes, more than GitHub ever sends",
    });
  });

  it("413 over a configured body limit, even for a form", async () => {
    const small = await webhookApp({ bodyLimit: 100 });
    const form = `payload=${encodeURIComponent(PUSH)}`;
    const headers = { ...githubHeaders("push", "f", form), "content-type": "application/x-www-form-urlencoded" };
    const res = await small.app.inject({ method: "POST", url: "/webhooks/github", headers, payload: form });
    expect(res.statusCode).toBe(413);
    await small.app.close();
  });

  it("503 when the queue refuses, so GitHub shows the delivery failed", async () => {
    const down = await webhookApp({ enqueueSync: async () => Promise.reject(new Error("Connection is closed.")) });
    const res = await down.app.inject({
      method: "POST",
      url: "/webhooks/github",
      headers: githubHeaders("push", "q-1", PUSH),
      payload: PUSH,
    });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      status: "rejected",
      reason: `could not queue the sync of production at ${SHA}: Connection is closed.`,
    });
    await down.app.close();
  });
});

describe("webhookRoutes", () => {
  it("keeps its raw-body parsers to itself: other routes still get parsed JSON", async () => {
    const app = Fastify();
    await webhookRoutes(app, {
      secrets: [SECRET],
      repository: "a/b",
      branch: "main",
      enqueueSync: async () => ({ status: "queued", jobId: "j" }),
      log: pino({ level: "silent" }),
    });
    app.post("/other", async (request) => request.body);
    const res = await app.inject({
      method: "POST",
      url: "/other",
      headers: { "content-type": "application/json" },
      payload: '{"a":1}',
    });
    expect(res.json()).toEqual({ a: 1 });
    await app.close();
  });

  it("works registered as a plugin too", async () => {
    const app = Fastify();
    await app.register(webhookRoutes, {
      secrets: [SECRET],
      repository: "Codertocat/Hello-World",
      branch: "master",
      enqueueSync: async () => ({ status: "queued", jobId: "j" }),
      log: pino({ level: "silent" }),
    });
    const res = await app.inject({
      method: "POST",
      url: "/webhooks/github",
      headers: githubHeaders("push", "plug-1", PUSH),
      payload: PUSH,
    });
    expect(res.statusCode).toBe(202);
    await app.close();
  });

  it.each([
    [{ secrets: [] }, /secrets must hold at least one non-empty secret/],
    [{ secrets: ["ok", ""] }, /secrets must hold at least one non-empty secret/],
    [{ repository: "just-a-name" }, /repository must be "owner\/name" \(DOCKHAND_GITHUB_REPO\), got "just-a-name"/],
    [{ branch: "" }, /branch is empty/],
    [{ bodyLimit: 0 }, /bodyLimit must be a positive integer/],
  ])("refuses options %j", async (overrides, message) => {
    await expect(webhookApp(overrides)).rejects.toMatchObject({ code: "DOCKHAND_E_USAGE", message });
  });
});
