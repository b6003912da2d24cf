/**
 * dockhand's own image, built from the Dockerfile users build (`docker build`,
 * on an offline stand-in for node:22-bookworm-slim:
 * test/support/node-base-image.ts) and run the way compose.yaml runs it: not
 * root, the engine's socket mounted with the socket's group added, a remote
 * engine's TLS files mounted, the image's own HEALTHCHECK. It fetches a tiny
 * deploy repo over git:// and deploys it onto both test bed engines; one
 * signed push webhook rolls it, and the app's containers answer through the
 * proxy running inside the image (host networking, so the proxy and the
 * published ports share the machine's addresses).
 */
import { randomUUID } from "node:crypto";
import { chownSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts } from "../../src/docker/index.js";
import { createDeployRepo, type TestDeployRepo } from "../support/deploy-repo.js";
import { dockerCli } from "../support/docker-cli.js";
import { freePort } from "../support/free-port.js";
import { type GitDaemon, startGitDaemon } from "../support/git-daemon.js";
import { deliverPush } from "../support/github-webhook.js";
import { containersOf, removeContainersOf } from "../support/instance-containers.js";
import { BASE_UID, ensureNodeBaseImage } from "../support/node-base-image.js";
import { proxyGet } from "../support/proxy-get.js";
import { testbed, testbedHosts } from "../support/testbed.js";
import { waitFor } from "../support/wait-for.js";

const ROOT = join(import.meta.dirname, "..", "..");
const SECRET = "image-secret";
const GITHUB_REPO = "acme/deploy";
const run = randomUUID().slice(0, 6);
const instance = `img${run}`;
const image = `dockhand-test/dockhand:${run}`;
const name = `dockhand-image-${run}`;
const bed = testbed();
const docker = createDockerHosts(testbedHosts());
const alpha = new Docker({ socketPath: new URL(bed.alpha).pathname });

let repo: TestDeployRepo;
let gitDaemon: GitDaemon;
let certs: string;
let proxyPort: number;
let httpPort: number;
/** Rejects once the container exits: every wait races it, so a crash fails at once, with the log. */
let exited: Promise<never>;

/** Inside the container the engines are `local` (the mounted socket) and beta over TCP with the mounted TLS files. */
function dockhandYaml(): string {
  return [
    "hosts:",
    "  alpha: { docker: local, address: 127.0.0.1 }",
    "  beta:",
    `    docker: ${bed.beta}`,
    "    tls: { ca: /etc/dockhand/certs/ca.pem, cert: /etc/dockhand/certs/cert.pem, key: /etc/dockhand/certs/key.pem }",
    "    address: 127.0.0.2",
    `proxy: { driver: builtin, listen: 127.0.0.1:${proxyPort} }`,
    "",
  ].join("\n");
}

/** The client TLS files for beta, readable by the image's user, as a user would mount them. */
function copyCerts(): string {
  const dir = mkdtempSync(join(tmpdir(), "dockhand-image-certs-"));
  for (const file of ["ca.pem", "cert.pem", "key.pem"]) {
    copyFileSync(join(bed.betaCerts, file), join(dir, file));
    chownSync(join(dir, file), BASE_UID, BASE_UID);
  }
  chownSync(dir, BASE_UID, BASE_UID);
  return dir;
}

async function logs(): Promise<string> {
  return dockerCli(bed.alpha, ["logs", "--tail", "40", name]).catch((err: Error) => err.message);
}

function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const waited = waitFor(what, check, { timeoutMs }).catch(async (err: Error) => {
    throw new Error(`${err.message}\ndockhand's log:\n${await logs()}`);
  });
  return Promise.race([waited, exited]);
}

async function webBodies(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await proxyGet(proxyPort, "web.localhost")).body.trim());
  return out;
}

/** The Dockerfile built on the offline base; the layer cache makes a rerun with no change take seconds. */
async function buildImage(): Promise<void> {
  const base = await ensureNodeBaseImage(docker, "alpha");
  const started = Date.now();
  await dockerCli(bed.alpha, ["build", "--build-arg", `BASE=${base}`, "-t", image, ROOT], { DOCKER_BUILDKIT: "1" });
  console.log(`dockhand's image built in ${Date.now() - started} ms`);
}

async function startDockhand(): Promise<void> {
  const socket = new URL(bed.alpha).pathname;
  await dockerCli(bed.alpha, [
    ...["run", "--detach", "--name", name, "--network", "host"],
    // compose.yaml's group_add: the socket's group, by number (the image has no group of that name).
    ...["--group-add", String(statSync(socket).gid), "--health-interval", "1s"],
    ...["--volume", `${socket}:/var/run/docker.sock`, "--volume", `${certs}:/etc/dockhand/certs:ro`],
    ...["--env", `DOCKHAND_REPO=${gitDaemon.url}deploy.git`, "--env", `DOCKHAND_GITHUB_REPO=${GITHUB_REPO}`],
    ...["--env", `DOCKHAND_WEBHOOK_SECRET=${SECRET}`, "--env", `DOCKHAND_HTTP_PORT=${httpPort}`],
    ...["--env", `DOCKHAND_INSTANCE=${instance}`, "--env", `REDIS_URL=${bed.redisUrl}`],
    // Only the webhook may deploy the push.
    ...["--env", "DOCKHAND_POLL_INTERVAL=0"],
    image,
  ]);
  exited = alpha
    .getContainer(name)
    .wait()
    .then(async (r: { StatusCode: number }) => {
      throw new Error(`dockhand's container exited (${r.StatusCode}); its log:\n${await logs()}`);
    });
  exited.catch(() => undefined);
}

beforeAll(async () => {
  await buildImage();
  proxyPort = await freePort();
  httpPort = await freePort();
  repo = createDeployRepo((work) => {
    writeFileSync(join(work, "dockhand.yaml"), dockhandYaml());
    rmSync(join(work, "apps", "api.yaml"));
    const web = join(work, "apps", "web.yaml");
    writeFileSync(web, readFileSync(web, "utf8").replace("replicas: 3", "replicas: 2"));
  });
  gitDaemon = await startGitDaemon(repo.root);
  certs = copyCerts();
  await startDockhand();
  await until("the startup sync to serve web", async () => {
    const reply = await proxyGet(proxyPort, "web.localhost");
    return reply.status === 200 && reply.body.includes("Hello from web");
  });
}, 600_000);

afterAll(async () => {
  await dockerCli(bed.alpha, ["rm", "--force", "--volumes", name]).catch(() => undefined);
  await removeContainersOf(docker, instance);
  await dockerCli(bed.alpha, ["rmi", image]).catch(() => undefined);
  await docker.close();
  await gitDaemon?.stop();
  if (certs) rmSync(certs, { recursive: true, force: true });
  if (repo) rmSync(repo.root, { recursive: true, force: true });
});

describe("dockhand's image", () => {
  it("runs dockhand as the image's user, not root, in the socket's group", async () => {
    const info = await alpha.getContainer(name).inspect();
    const status = readFileSync(`/proc/${info.State.Pid}/status`, "utf8");
    expect(status).toMatch(new RegExp(`^Uid:\\s+${BASE_UID}\\s`, "m"));
    const groups = /^Groups:\s*(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
    expect(groups).toContain(String(statSync(new URL(bed.alpha).pathname).gid));
  });

  it("reports healthy through its HEALTHCHECK", async () => {
    const health = await until("a health verdict", async () => {
      const info = await alpha.getContainer(name).inspect();
      const state = info.State.Health?.Status;
      return state === "healthy" || state === "unhealthy" ? info.State.Health : undefined;
    });
    expect(health.Status).toBe("healthy");
    expect(health.Log.at(-1)?.ExitCode).toBe(0);
  });

  it("rolls web on both engines when a signed push arrives, and the new containers answer", async () => {
    repo.edit("services/web/www/index.html", () => "<h1>Hello from the image</h1>\n");
    const sha = repo.push("new page text");
    const answer = await deliverPush(httpPort, GITHUB_REPO, sha, SECRET);
    expect(answer.status).toBe(202);
    await until("both web replicas to run the pushed commit", async () => {
      const web = (await containersOf(docker, instance)).filter((c) => c.app === "web" && c.state === "running");
      return web.length === 2 && web.every((c) => c.commit === sha);
    });
    const web = (await containersOf(docker, instance)).filter((c) => c.app === "web" && c.state === "running");
    expect(web.map((c) => c.host).sort()).toEqual(["alpha", "beta"]);
    expect(await webBodies(4)).toEqual(Array(4).fill("<h1>Hello from the image</h1>"));
  });
});
