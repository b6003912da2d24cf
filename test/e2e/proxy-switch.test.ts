/**
 * Switching drivers is a config change: `dockhand serve` starts the
 * built-in proxy; a push that sets `proxy.driver: nginx` switches to nginx on
 * the same address once its sync has run, and back; a proxy that cannot
 * start (its address taken) gives way to the one that ran before.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:net";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts } from "../../src/docker/index.js";
import { createDeployRepo, type TestDeployRepo } from "../support/deploy-repo.js";
import { type DockhandProcess, startDockhand } from "../support/dockhand-process.js";
import { freePort } from "../support/free-port.js";
import { deliver, pushPayload } from "../support/github-webhook.js";
import { removeContainersOf } from "../support/instance-containers.js";
import { testbedHosts } from "../support/testbed.js";
import { waitFor } from "../support/wait-for.js";

const SECRET = "switch-secret";
const GITHUB_REPO = "acme/deploy";
const instance = `sw${randomUUID().slice(0, 6)}`;
const docker = createDockerHosts(testbedHosts());

let repo: TestDeployRepo;
let serve: DockhandProcess;
let proxyPort: number;
let httpPort: number;
let squatter: Server | undefined;

/**
 * Which proxy answered 200 for web.localhost: nginx says so in `server`, the built-in proxy hands the client
 * its `x-request-id` (nginx passes one only upstream); undefined when nothing answers 200.
 */
async function servedBy(port = proxyPort): Promise<"nginx" | "builtin" | "unknown" | undefined> {
  try {
    const res = await request(`http://127.0.0.1:${port}/`, {
      headers: { host: "web.localhost" },
      headersTimeout: 3_000,
    });
    await res.body.text();
    if (res.statusCode !== 200) return undefined;
    if (String(res.headers.server ?? "").startsWith("nginx")) return "nginx";
    return res.headers["x-request-id"] ? "builtin" : "unknown";
  } catch {
    return undefined;
  }
}

/** The last time the serving process said it switched drivers. */
function lastSwitch(): Record<string, unknown> | undefined {
  return serve.logged("switching the proxy").at(-1);
}

async function pushProxy(line: string): Promise<void> {
  repo.edit("dockhand.yaml", (t) => t.replace(/^proxy:.*(\n {2}.*)*/m, line));
  const sha = repo.push(`proxy: ${line}`);
  const answer = await deliver(
    `http://127.0.0.1:${httpPort}/webhooks/github`,
    "push",
    pushPayload(GITHUB_REPO, "refs/heads/main", sha),
    SECRET,
  );
  expect(answer.status).toBe(202);
}

beforeAll(async () => {
  proxyPort = await freePort();
  httpPort = await freePort();
  repo = createDeployRepo();
  repo.edit("dockhand.yaml", (t) =>
    t.replace(/^proxy:.*(\n {2}.*)*/m, `proxy: { driver: builtin, listen: 127.0.0.1:${proxyPort} }`),
  );
  repo.edit("apps/web.yaml", (t) => t.replace("replicas: 3", "replicas: 1"));
  execFileSync("git", ["rm", "--quiet", "apps/api.yaml"], { cwd: repo.work });
  repo.push("one replica of web, the built-in proxy");
  serve = startDockhand(["serve"], {
    DOCKHAND_REPO: repo.remote,
    DOCKHAND_GITHUB_REPO: GITHUB_REPO,
    DOCKHAND_WEBHOOK_SECRET: SECRET,
    DOCKHAND_STATE_DIR: `${repo.root}/state`,
    DOCKHAND_HTTP_PORT: String(httpPort),
    DOCKHAND_INSTANCE: instance,
    REDIS_URL: "",
  });
  await waitFor("web through the built-in proxy", async () => (await servedBy()) !== undefined, {
    timeoutMs: 120_000,
  });
});

afterAll(async () => {
  await serve?.stop();
  squatter?.close();
  await removeContainersOf(docker, instance);
  await docker.close();
});

describe("switching proxy drivers with a push", () => {
  it("serves through the built-in proxy first", async () => {
    expect(await servedBy()).toBe("builtin");
  });

  it("switches to nginx on the same address", async () => {
    await pushProxy(`proxy: { driver: nginx, listen: 127.0.0.1:${proxyPort} }`);
    await waitFor("nginx to serve web", async () => (await servedBy()) === "nginx", { timeoutMs: 60_000 });
    expect(lastSwitch()).toMatchObject({ from: "builtin", to: "nginx", listen: `127.0.0.1:${proxyPort}` });
  });

  it("goes back to nginx when the next proxy cannot start, and says why", async () => {
    const taken = await freePort();
    squatter = createServer();
    await new Promise<void>((resolve) => squatter?.listen(taken, "127.0.0.1", resolve));
    await pushProxy(`proxy: { driver: builtin, listen: 127.0.0.1:${taken} }`);
    const report = await waitFor(
      "the failed switch to be reported",
      async () => serve.logged("the new proxy did not start; the previous one serves again").at(-1),
      { timeoutMs: 60_000 },
    );
    expect(report).toMatchObject({ driver: "builtin", listen: `127.0.0.1:${taken}` });
    expect(String(report.err)).toContain(`EADDRINUSE: address already in use 127.0.0.1:${taken}`);
    // nginx was stopped for the switch and started again: it serves again, on the same address.
    await waitFor("nginx to serve web again", async () => (await servedBy()) === "nginx", { timeoutMs: 30_000 });
    expect(lastSwitch()).toMatchObject({ from: "nginx", to: "builtin", listen: `127.0.0.1:${taken}` });
  });

  it("switches back to the built-in proxy", async () => {
    await pushProxy(`proxy: { driver: builtin, listen: 127.0.0.1:${proxyPort} }`);
    await waitFor("the built-in proxy to serve web again", async () => (await servedBy()) === "builtin", {
      timeoutMs: 60_000,
    });
    expect(lastSwitch()).toMatchObject({ from: "nginx", to: "builtin", listen: `127.0.0.1:${proxyPort}` });
  });
});
