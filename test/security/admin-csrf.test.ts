/**
 * Requests that change state through a dashboard session, as a page on
 * another site (or a script that holds only a stolen cookie) would send them,
 * on the real HTTP app on a real port with the real queue in the test bed's
 * Redis: the cookie alone is refused and queues nothing; the cookie plus the
 * session's own CSRF token, or the Bearer token, gets through.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminApp, type LoggedIn, logIn, startAdminApp } from "../support/admin-http-app.js";

const TOKEN = "admin-token-of-the-csrf-test";

let app: AdminApp;
let session: LoggedIn;
let other: LoggedIn;

beforeAll(async () => {
  app = await startAdminApp({ token: TOKEN });
  session = await logIn(app.url, TOKEN);
  other = await logIn(app.url, TOKEN);
});

afterAll(async () => {
  await app?.close();
});

function sync(headers: Record<string, string>) {
  return fetch(`${app.url}/api/sync`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ env: "production" }),
  });
}

const cancel = (id: string, headers: Record<string, string>) =>
  fetch(`${app.url}/api/jobs/${id}`, { method: "DELETE", headers });

describe("state changes through a session", () => {
  it("refuses the session cookie alone with 403 saying what is missing, and queues or cancels nothing", async () => {
    const { job } = (await (await sync({ authorization: `Bearer ${TOKEN}` })).json()) as { job: string };
    const before = await app.jobCount();

    const queued = await sync({ cookie: session.cookie });
    expect(queued.status).toBe(403);
    expect(((await queued.json()) as { message: string }).message).toContain(
      "send the session's CSRF token in X-CSRF-Token",
    );
    const cancelled = await cancel(job, { cookie: session.cookie });
    expect(cancelled.status).toBe(403);

    expect(await app.jobCount()).toBe(before);
    expect(await app.queue.queue.getJob(job)).toBeDefined();
  });

  it.each([
    ["another session's CSRF token", () => other.csrf],
    ["a wrong CSRF token", () => "x".repeat(43)],
    ["an empty CSRF token", () => ""],
  ])("refuses the cookie with %s", async (_name, csrf) => {
    const before = await app.jobCount();
    expect((await sync({ cookie: session.cookie, "x-csrf-token": csrf() })).status).toBe(403);
    expect(await app.jobCount()).toBe(before);
  });

  it("accepts the cookie with its session's CSRF token: a sync is queued and a pending job cancelled", async () => {
    const queued = await sync({ cookie: session.cookie, "x-csrf-token": session.csrf });
    expect(queued.status).toBe(202);
    const { job } = (await queued.json()) as { job: string };
    expect(await app.queue.queue.getJob(job)).toBeDefined();
    const cancelled = await cancel(job, { cookie: session.cookie, "x-csrf-token": session.csrf });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ status: "removed", job });
  });

  it("gives the dashboard page its session's CSRF token, which works for the API", async () => {
    const page = await (await fetch(`${app.url}/`, { headers: { cookie: session.cookie } })).text();
    const csrf = /<meta name="csrf-token" content="([\w-]+)">/.exec(page)?.[1];
    expect(csrf).toBe(session.csrf);
    expect(page).toContain(`<input type="hidden" name="csrf" value="${session.csrf}">`);
    expect((await sync({ cookie: session.cookie, "x-csrf-token": csrf ?? "" })).status).toBe(202);
  });

  it("needs no CSRF token with the Bearer token, which no other site can make a browser send", async () => {
    expect((await sync({ authorization: `Bearer ${TOKEN}` })).status).toBe(202);
  });

  it("keeps the session when POST /logout comes without its CSRF token", async () => {
    const out = await fetch(`${app.url}/logout`, {
      method: "POST",
      headers: { cookie: session.cookie, "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    expect(out.status).toBe(403);
    expect(out.headers.get("set-cookie")).toBeNull();
    expect((await fetch(`${app.url}/api/status`, { headers: { cookie: session.cookie } })).status).toBe(200);
  });
});
