import type { AddressInfo } from "node:net";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { examplesOf, pushToMaster } from "../../support/github-examples.js";
import { githubHeaders, type WebhookApp, webhookApp } from "../../unit/webhook/webhook-app.js";

const SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
let t: WebhookApp;
let base: string;

beforeAll(async () => {
  t = await webhookApp();
  await t.app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await t.app.close();
});

async function deliver(headers: Record<string, string>, body: string) {
  const res = await request(`${base}/webhooks/github`, { method: "POST", headers, body });
  return { code: res.statusCode, type: res.headers["content-type"], body: (await res.body.json()) as unknown };
}

describe("webhook receiver on a real port", () => {
  it("queues a signed push, then answers duplicate to its redelivery", async () => {
    const body = JSON.stringify(pushToMaster());
    const first = await deliver(githubHeaders("push", "72d3162e-cc78-11e3-81ab-4c9367dc0958", body), body);
    expect(first).toEqual({
      code: 202,
      type: "application/json; charset=utf-8",
      body: { status: "queued", reason: `sync of production at ${SHA} queued` },
    });
    const again = await deliver(githubHeaders("push", "72d3162e-cc78-11e3-81ab-4c9367dc0958", body), body);
    expect(again.body).toEqual({
      status: "duplicate",
      reason: "delivery 72d3162e-cc78-11e3-81ab-4c9367dc0958 was already queued",
    });
    expect(t.queued.map((q) => q.jobId)).toEqual(["push-72d3162e-cc78-11e3-81ab-4c9367dc0958"]);
  });

  it("answers a ping with pong", async () => {
    const body = JSON.stringify(examplesOf("ping")[0]);
    expect((await deliver(githubHeaders("ping", "ping-1", body), body)).body).toEqual({
      status: "ignored",
      reason: "pong",
    });
  });

  it("takes a form-encoded delivery", async () => {
    const form = `payload=${encodeURIComponent(JSON.stringify(pushToMaster()))}`;
    const headers = { ...githubHeaders("push", "form-1", form), "content-type": "application/x-www-form-urlencoded" };
    expect(await deliver(headers, form)).toMatchObject({ code: 202, body: { status: "queued" } });
  });

  it("refuses a bad signature with 401 and a body over the limit with 413", async () => {
    const body = JSON.stringify(pushToMaster());
    expect((await deliver(githubHeaders("push", "bad-1", body, "wrong"), body)).code).toBe(401);
    const big = "x".repeat(25 * 1024 * 1024 + 1);
    expect((await deliver(githubHeaders("push", "big-1", big), big)).code).toBe(413);
  });
});
