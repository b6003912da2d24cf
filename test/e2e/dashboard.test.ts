/**
 * The dashboard in a real Chromium (Debian's, scripts/ensure-chromium.sh),
 * driven by playwright-core, against `dockhand serve` on the test bed: the
 * login form, the example apps on both hosts after the start-up deploy, a
 * pushed deploy appearing live over server-sent events (no reload), the
 * real /metrics of the same process, and logging out. With DOCKHAND_UPDATE_SCREENSHOT=1 it
 * saves docs/dashboard.png for the README.
 */
import { randomUUID } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts } from "../../src/docker/index.js";
import { METRIC_NAMES } from "../../src/http/index.js";
import { createDeployRepo, type TestDeployRepo } from "../support/deploy-repo.js";
import { type DockhandProcess, startDockhand } from "../support/dockhand-process.js";
import { freePort } from "../support/free-port.js";
import { deliver, pushPayload } from "../support/github-webhook.js";
import { removeContainersOf } from "../support/instance-containers.js";
import { proxyGet } from "../support/proxy-get.js";
import { testbedHosts } from "../support/testbed.js";
import { waitFor } from "../support/wait-for.js";

const CHROMIUM = "/usr/bin/chromium";
// docs/dashboard.png (the README's picture) only when asked for, so a test run leaves the tree as it was.
const SCREENSHOT = process.env.DOCKHAND_UPDATE_SCREENSHOT
  ? join(import.meta.dirname, "..", "..", "docs", "dashboard.png")
  : join(tmpdir(), `dockhand-dashboard-${process.pid}.png`);
const TOKEN = `admin-${randomUUID()}`;
const SECRET = "dashboard-secret";
const GITHUB_REPO = "acme/deploy";
const instance = `ui${randomUUID().slice(0, 6)}`;
const docker = createDockerHosts(testbedHosts());

let repo: TestDeployRepo;
let serve: DockhandProcess;
let browser: Browser;
let page: Page;
let httpPort: number;
let proxyPort: number;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run bash scripts/ensure-chromium.sh`);
  [proxyPort, httpPort] = [await freePort(), await freePort()];
  repo = createDeployRepo();
  repo.edit("dockhand.yaml", (t) => t.replace("listen: 127.0.0.1:8080", `listen: 127.0.0.1:${proxyPort}`));
  repo.push("test proxy port");
  serve = startDockhand(["serve"], {
    DOCKHAND_REPO: repo.remote,
    DOCKHAND_GITHUB_REPO: GITHUB_REPO,
    DOCKHAND_WEBHOOK_SECRET: SECRET,
    DOCKHAND_ADMIN_TOKEN: TOKEN,
    DOCKHAND_STATE_DIR: `${repo.root}/state`,
    DOCKHAND_HTTP_PORT: String(httpPort),
    DOCKHAND_INSTANCE: instance,
    // Plain HTTP: a Secure cookie would be kept from the page.
    DOCKHAND_INSECURE_COOKIES: "1",
    REDIS_URL: "",
  });
  const launching = chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  await waitFor(
    "the start-up deploy to serve web and api",
    async () =>
      (await proxyGet(proxyPort, "web.localhost")).status === 200 &&
      (await proxyGet(proxyPort, "api.localhost")).status === 200,
    { timeoutMs: 120_000 },
  );
  browser = await launching;
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await removeContainersOf(docker, instance);
  await docker.close();
  if (repo) rmSync(repo.root, { recursive: true, force: true });
  if (!process.env.DOCKHAND_UPDATE_SCREENSHOT) rmSync(SCREENSHOT, { force: true });
});

describe("the dashboard in Chromium", () => {
  it("asks for the token, then logs in through the form and shows the example apps on both hosts", async () => {
    const refused = await page.goto(`http://127.0.0.1:${httpPort}/`);
    expect(refused?.status()).toBe(401);
    await page.locator('input[name="token"]').fill(TOKEN);
    const [shown] = await Promise.all([
      page.waitForResponse((r) => r.url() === `http://127.0.0.1:${httpPort}/` && r.request().method() === "GET"),
      page.locator('button[type="submit"]', { hasText: "Log in" }).click(),
    ]);
    expect(shown?.status()).toBe(200);
    expect(page.url()).toBe(`http://127.0.0.1:${httpPort}/`);
    expect(await page.context().cookies()).toMatchObject([
      { name: "dockhand_session", httpOnly: true, sameSite: "Strict", path: "/" },
    ]);
    await page.locator("#live-state", { hasText: "live" }).waitFor({ timeout: 10_000 });
    // The start-up deploy may still be finishing its last step when the page first renders.
    await page.locator('tr[data-app="web"][data-health="healthy"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('tr[data-app="web"] .slot').count()).toBe(3);
    expect(await page.locator('tr[data-app="api"] .slot').count()).toBe(2);
    expect(await page.locator('th[data-host="alpha"]').count()).toBe(1);
    expect(await page.locator('th[data-host="beta"]').count()).toBe(1);
    await page.locator('#recent-deploys tr[data-status="succeeded"]').first().waitFor({ timeout: 30_000 });
    expect(await page.locator("#previews").textContent()).toContain("none");
  });

  it("shows a pushed deploy as it runs and its result, live, without a reload", async () => {
    await page.evaluate(() => {
      (globalThis as unknown as { stayed: boolean }).stayed = true;
    });
    repo.edit("services/web/www/index.html", () => "<h1>Hello from the dashboard test</h1>\n");
    const sha = repo.push("new page text");
    const answer = await deliver(
      `http://127.0.0.1:${httpPort}/webhooks/github`,
      "push",
      pushPayload(GITHUB_REPO, "refs/heads/main", sha),
      SECRET,
    );
    expect(answer.status).toBe(202);

    const running = page.locator("#current-deploys .current", { hasText: sha.slice(0, 12) });
    await running.waitFor({ timeout: 60_000 });
    expect(await running.textContent()).toContain("push (delivery");
    const commits = page.locator('tr[data-app="web"] .slot code.commit', { hasText: sha.slice(0, 12) });
    await waitFor("all three web slots to show the new commit", async () => (await commits.count()) === 3, {
      timeoutMs: 120_000,
    });
    await page.locator("#current-deploys .current").waitFor({ state: "detached", timeout: 60_000 });
    // The replaced containers are stopped by the last steps; the page follows within a render.
    await waitFor(
      "web to show exactly its three slots",
      async () => (await page.locator('tr[data-app="web"] .slot').count()) === 3,
      {
        timeoutMs: 10_000,
      },
    );
    const newest = page.locator("#recent-deploys tbody tr").first();
    expect(await newest.getAttribute("data-status")).toBe("succeeded");
    expect(await newest.textContent()).toContain(sha.slice(0, 12));
    expect(await page.evaluate(() => (globalThis as unknown as { stayed?: boolean }).stayed)).toBe(true);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it("serves /metrics with every listed series from the same process", async () => {
    await proxyGet(proxyPort, "web.localhost");
    const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    const samples = text.split("\n").filter((l) => l && !l.startsWith("#"));
    for (const name of METRIC_NAMES) {
      expect(
        samples.some((l) => l.startsWith(`${name}{`) || l.startsWith(`${name}_bucket{`) || l.startsWith(`${name} `)),
        name,
      ).toBe(true);
    }
    expect(text).toMatch(/^dockhand_deploys_total\{env="production",app="web",outcome="succeeded"\} 2$/m);
    expect(text).toMatch(/^dockhand_proxy_requests_total\{env="production",app="web",code="200"\} \d+$/m);
  });

  it("logs out with the button; the old cookie is refused from then on", async () => {
    const [cookie] = await page.context().cookies();
    expect(cookie?.name).toBe("dockhand_session");
    await Promise.all([page.waitForURL(`http://127.0.0.1:${httpPort}/login`), page.locator("#logout button").click()]);
    expect(await page.context().cookies()).toEqual([]);
    const replayed = await fetch(`http://127.0.0.1:${httpPort}/api/status`, {
      headers: { cookie: `dockhand_session=${cookie?.value}` },
    });
    expect(replayed.status).toBe(401);
  });
});
