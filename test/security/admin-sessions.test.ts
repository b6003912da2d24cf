/**
 * Dashboard sessions against what a thief of a cookie, a browser history or
 * a copy of Redis would try, on the real HTTP app listening on a real port,
 * with sessions in the test bed's Redis: a cookie is a random id whose
 * session the server can end (logout, expiry, a new admin token), the token
 * never travels in an address, and the cookie is Secure unless turned off.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminApp, adminPrefix, logIn, startAdminApp } from "../support/admin-http-app.js";
import { waitFor } from "../support/wait-for.js";

const TOKEN = "admin-token-of-the-sessions-test";
const FORM = { "content-type": "application/x-www-form-urlencoded" };

let app: AdminApp;

beforeAll(async () => {
  app = await startAdminApp({ token: TOKEN });
});

afterAll(async () => {
  await app?.close();
});

const status = (base: string, cookie: string) => fetch(`${base}/api/status`, { headers: { cookie } });

describe("logging in", () => {
  it("POST /login (the form) sets a fresh random id, HttpOnly, SameSite=Strict, Secure: never the token", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${app.url}/login`, {
        method: "POST",
        headers: FORM,
        body: `token=${encodeURIComponent(TOKEN)}`,
        redirect: "manual",
      });
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/");
      const cookie = response.headers.get("set-cookie") ?? "";
      expect(cookie).toMatch(/^dockhand_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200; Secure$/);
      expect(cookie).not.toContain(TOKEN);
      ids.add(cookie.split(";")[0] ?? "");
    }
    expect(ids.size).toBe(2);
  });

  it("leaves Secure out only when told to (DOCKHAND_INSECURE_COOKIES=1, plain-HTTP setups)", async () => {
    const plain = await startAdminApp({ token: TOKEN, secureCookies: false });
    try {
      const { setCookie } = await logIn(plain.url, TOKEN);
      expect(setCookie).toMatch(/^dockhand_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    } finally {
      await plain.close();
    }
  });

  it("refuses a wrong token with 401 and sets no cookie", async () => {
    const response = await fetch(`${app.url}/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: "guess" }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(await response.json()).toEqual({ error: "DOCKHAND_E_USAGE", message: "wrong admin token" });
  });

  it.each([
    ["a script", "application/json"],
    ["a browser", "text/html"],
  ])(
    "GET /?token=<the right token> from %s logs nobody in: 400, a pointer to /login, no cookie, no echo",
    async (_who, accept) => {
      const response = await fetch(`${app.url}/?token=${encodeURIComponent(TOKEN)}`, {
        headers: { accept },
        redirect: "manual",
      });
      expect(response.status).toBe(400);
      expect(response.headers.get("set-cookie")).toBeNull();
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      const body = await response.text();
      expect(body).toContain("log in at /login");
      expect(body).not.toContain(TOKEN);
    },
  );

  it("GET /login shows a form that posts the token (not a GET form that would put it in the address)", async () => {
    const page = await (await fetch(`${app.url}/login`)).text();
    expect(page).toContain('<form method="post" action="/login">');
    expect(page).toContain('<input type="password" name="token"');
  });
});

describe("ending a session on the server", () => {
  it("refuses a cookie replayed after POST /logout", async () => {
    const session = await logIn(app.url, TOKEN);
    expect((await status(app.url, session.cookie)).status).toBe(200);
    const out = await fetch(`${app.url}/logout`, {
      method: "POST",
      headers: { cookie: session.cookie, "x-csrf-token": session.csrf },
    });
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toMatch(/^dockhand_session=; .*Max-Age=0/);

    const replayed = await status(app.url, session.cookie);
    expect(replayed.status).toBe(401);
    expect(((await replayed.json()) as { message: string }).message).toBe(
      "the session has ended (logged out, expired, or the admin token changed): log in again at /login",
    );
    const page = await fetch(`${app.url}/`, { headers: { cookie: session.cookie, accept: "text/html" } });
    expect(page.status).toBe(401);
    const write = await fetch(`${app.url}/api/sync`, {
      method: "POST",
      headers: { cookie: session.cookie, "x-csrf-token": session.csrf },
    });
    expect(write.status).toBe(401);
    expect(await app.jobCount()).toBe(0);
  });

  it("refuses an expired session even when its cookie is replayed", async () => {
    const short = await startAdminApp({ token: TOKEN, sessionTtlMs: 1_500 });
    try {
      const session = await logIn(short.url, TOKEN);
      expect(session.setCookie).toContain("Max-Age=2;");
      expect((await status(short.url, session.cookie)).status).toBe(200);
      await waitFor("the session to expire", async () => (await status(short.url, session.cookie)).status === 401, {
        timeoutMs: 15_000,
      });
      const write = await fetch(`${short.url}/api/sync`, {
        method: "POST",
        headers: { cookie: session.cookie, "x-csrf-token": session.csrf },
      });
      expect(write.status).toBe(401);
      expect(await short.jobCount()).toBe(0);
    } finally {
      await short.close();
    }
  });

  it("ends sessions made with an old DOCKHAND_ADMIN_TOKEN once the token changes", async () => {
    const prefix = adminPrefix();
    const before = await startAdminApp({ token: "the-old-token", prefix });
    const session = await logIn(before.url, "the-old-token");
    expect((await status(before.url, session.cookie)).status).toBe(200);
    await before.close({ keepKeys: true });
    const after = await startAdminApp({ token: "the-new-token", prefix });
    try {
      expect((await status(after.url, session.cookie)).status).toBe(401);
      expect((await status(after.url, (await logIn(after.url, "the-new-token")).cookie)).status).toBe(200);
    } finally {
      await after.close();
    }
  });

  it("refuses cookies the server never issued", async () => {
    for (const id of ["0".repeat(43), "x", `${"a".repeat(43)};`, "../../etc/passwd", TOKEN]) {
      expect((await status(app.url, `dockhand_session=${encodeURIComponent(id)}`)).status, id).toBe(401);
    }
  });

  it("keeps in Redis nothing that works as a cookie or gives the token away", async () => {
    const session = await logIn(app.url, TOKEN);
    const id = session.cookie.slice("dockhand_session=".length);
    const keys = await app.redis.keys(`${app.prefix}sessions:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const value = (await app.redis.get(key)) ?? "";
      expect(key).not.toContain(id);
      expect(value).not.toContain(id);
      expect(value).not.toContain(TOKEN);
      const stolen = key.slice(`${app.prefix}sessions:`.length);
      expect((await status(app.url, `dockhand_session=${stolen}`)).status).toBe(401);
    }
  });
});
