/**
 * A push to an app's own source repository (`build.git`) through `dockhand
 * serve` (issue 6): web builds from a separate git remote; a signed push
 * webhook for that repository rebuilds web from the new head and rolls it,
 * while api (built from the deploy repo) is left alone; pushes to other
 * branches of the source repository are ignored, and say why.
 */

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts } from "../../src/docker/index.js";
import type { ObservedContainer } from "../../src/model/index.js";
import { ownerAndName } from "../../src/model/owner-and-name.js";
import { createDeployRepo, createSourceRepo, EXAMPLE_DIR, type TestDeployRepo } from "../support/deploy-repo.js";
import { type DockhandProcess, startDockhand } from "../support/dockhand-process.js";
import { freePort } from "../support/free-port.js";
import { deliver, pushPayload } from "../support/github-webhook.js";
import { removeContainersOf } from "../support/instance-containers.js";
import { proxyGet } from "../support/proxy-get.js";
import { testbedHosts } from "../support/testbed.js";
import { waitFor } from "../support/wait-for.js";

const SECRET = "e2e-secret";
const instance = `e2e${randomUUID().slice(0, 6)}`;
const docker = createDockerHosts(testbedHosts());

let deploy: TestDeployRepo;
let source: TestDeployRepo;
let serve: DockhandProcess;
let proxyPort: number;
let httpPort: number;

async function running(app: string): Promise<ObservedContainer[]> {
  const observed = await docker.observe(instance);
  return observed.hosts.flatMap((h) => h.containers).filter((c) => c.app === app && c.state === "running");
}

async function webBodies(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await proxyGet(proxyPort, "web.localhost")).body.trim());
  return out;
}

function deliverPush(ref: string, sha: string) {
  const payload = pushPayload(ownerAndName(source.remote) ?? "", ref, sha);
  return deliver(`http://127.0.0.1:${httpPort}/webhooks/github`, "push", payload, SECRET);
}

beforeAll(async () => {
  proxyPort = await freePort();
  httpPort = await freePort();
  const web = join(EXAMPLE_DIR, "services", "web");
  source = createSourceRepo({
    Dockerfile: readFileSync(join(web, "Dockerfile"), "utf8"),
    "www/index.html": "<h1>web from its own repository</h1>\n",
    "www/healthz": "ok\n",
  });
  deploy = createDeployRepo();
  deploy.edit("dockhand.yaml", (t) => t.replace("listen: 127.0.0.1:8080", `listen: 127.0.0.1:${proxyPort}`));
  deploy.edit("apps/web.yaml", (t) =>
    t
      .replace("build: { context: services/web }", `build: { git: ${source.remote}, context: . }`)
      .replace("replicas: 3", "replicas: 2")
      .replace("drain: 1s", "drain: 0s"),
  );
  deploy.push("web builds from its own repository");
  serve = startDockhand(["serve"], {
    DOCKHAND_REPO: deploy.remote,
    DOCKHAND_GITHUB_REPO: "acme/deploy",
    DOCKHAND_WEBHOOK_SECRET: SECRET,
    DOCKHAND_STATE_DIR: `${deploy.root}/state`,
    DOCKHAND_HTTP_PORT: String(httpPort),
    DOCKHAND_INSTANCE: instance,
    REDIS_URL: "",
  });
  await waitFor(
    "the first deploy to serve web from its source repository",
    async () =>
      (await proxyGet(proxyPort, "web.localhost")).body.includes("its own repository") &&
      (await running("web")).length === 2 &&
      (await running("api")).length === 2,
    { timeoutMs: 120_000 },
  );
});

afterAll(async () => {
  await serve?.stop();
  await removeContainersOf(docker, instance);
  await docker.close();
});

describe("a push to an app's source repository", () => {
  it("rebuilds and rolls the apps that build from it, and leaves the others alone", async () => {
    const apiBefore = (await running("api")).map((c) => c.id).sort();
    const webBefore = (await running("web")).map((c) => c.image);
    source.edit("www/index.html", () => "<h1>web, pushed to its own repository</h1>\n");
    const sha = source.push("new page");
    const answer = await deliverPush("refs/heads/main", sha);
    expect(answer.status).toBe(202);
    expect(JSON.parse(answer.body)).toMatchObject({
      status: "queued",
      reason: `sync of production for ${ownerAndName(source.remote)}@${sha} (web) queued`,
    });
    await waitFor(
      "web to serve the pushed page on every replica",
      async () => {
        const web = await running("web");
        return web.length === 2 && web.every((c) => !webBefore.includes(c.image));
      },
      { timeoutMs: 120_000 },
    );
    expect(await webBodies(4)).toEqual(Array(4).fill("<h1>web, pushed to its own repository</h1>"));
    expect((await running("api")).map((c) => c.id).sort()).toEqual(apiBefore);
  });

  it("ignores a push to another branch of the source repository, and says why", async () => {
    const answer = await deliverPush("refs/heads/feature", "1".repeat(40));
    expect(answer.status).toBe(202);
    expect(JSON.parse(answer.body)).toEqual({
      status: "ignored",
      reason: `push to refs/heads/feature of ${ownerAndName(source.remote)}; its apps deploy main`,
    });
  });
});
