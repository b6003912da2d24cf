/**
 * /metrics as a scraper that is not the operator's Prometheus would call it,
 * on the real HTTP app on a real port: with DOCKHAND_METRICS_TOKEN set, only
 * that Bearer token reads it; unset, it stays open (docs/operations.md#metrics).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminApp, startAdminApp } from "../support/admin-http-app.js";

const ADMIN = "admin-token-of-the-metrics-test";
const METRICS = "metrics-token-of-the-metrics-test";

let guarded: AdminApp;

beforeAll(async () => {
  guarded = await startAdminApp({ token: ADMIN, metricsToken: METRICS });
});

afterAll(async () => {
  await guarded?.close();
});

const scrape = (url: string, headers: Record<string, string> = {}) => fetch(`${url}/metrics`, { headers });

describe("GET /metrics with DOCKHAND_METRICS_TOKEN", () => {
  it.each([
    ["no token", {}, "metrics token required: send Authorization: Bearer <DOCKHAND_METRICS_TOKEN>"],
    ["a wrong token", { authorization: "Bearer nope" }, "wrong metrics token"],
    ["the admin token", { authorization: `Bearer ${ADMIN}` }, "wrong metrics token"],
    [
      "the token as a cookie",
      { cookie: `token=${METRICS}` },
      "metrics token required: send Authorization: Bearer <DOCKHAND_METRICS_TOKEN>",
    ],
  ])("refuses a scrape with %s: 401 and no series", async (_name, headers, message) => {
    const response = await scrape(guarded.url, headers);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="dockhand metrics"');
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ error: "DOCKHAND_E_USAGE", message });
    expect(body).not.toContain("dockhand_");
  });

  it("answers the scrape that sends it", async () => {
    const response = await scrape(guarded.url, { authorization: `Bearer ${METRICS}` });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^dockhand_deploy_history_up 0$/m);
  });
});

describe("GET /metrics without DOCKHAND_METRICS_TOKEN", () => {
  it("stays open, as documented (bind the HTTP port accordingly)", async () => {
    const open = await startAdminApp({ token: ADMIN });
    try {
      expect((await scrape(open.url)).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});
