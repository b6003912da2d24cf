/**
 * Pull requests as a stranger would write them, through the real classifier,
 * git, engines, Redis, status branch and fake GitHub: a PR head may change
 * what its preview runs (image, env), never what dockhand lets it touch
 * (docs/security.md, "Pull requests and forks").
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ObservedContainer } from "../../src/model/index.js";
import { PREVIEW_LABEL } from "../../src/worker/previews/preview-desired.js";
import { NOT_CONTACTED } from "../../src/worker/previews/read-pull-request.js";
import { DirectorySecrets } from "../../src/worker/secrets/directory-secrets.js";
import { RedisKnownHosts } from "../../src/worker/sync/known-hosts.js";
import { runSync } from "../../src/worker/sync/run-sync.js";
import { NOT_FETCHED } from "../../src/worker/sync/source-reading-repo.js";
import { rawEngines } from "../integration/docker/docker-fixtures.js";
import { PREVIEW_REPOSITORY, type PreviewRig, startPreviewRig, statusFile } from "../integration/github/preview-rig.js";
import { createSourceRepo, git, type TestDeployRepo } from "../support/deploy-repo.js";

const DOMAIN = "preview.test";
const PROD_TOKEN = "prod-token-0123456789";
const PREVIEW_TOKEN = "preview-token-abcdef";
let bed: PreviewRig;
let secretsDir: string;
let knownHosts: RedisKnownHosts;
let untracked: TestDeployRepo;

/** What a hostile head makes of an app file: the host's root and Docker socket, and every secret it can name. */
function grab(text: string): string {
  const kept = text.split("\n").filter((line) => line && !/^(secrets|replicas|previews):/.test(line));
  return [
    ...kept,
    "volumes:",
    "  - { source: /var/run/docker.sock, target: /var/run/docker.sock }",
    "  - { source: /, target: /host }",
    "secrets: [PROD_TOKEN, PREVIEW_TOKEN]",
    "replicas: 9",
    "previews: { enabled: true, secrets: [PROD_TOKEN] }",
    "",
  ].join("\n");
}

function edit(work: string, path: string, change: (text: string) => string): void {
  const file = join(work, path);
  writeFileSync(file, change(readFileSync(file, "utf8")));
}

/** Every engine-side fact of a container that tells what it can reach. */
async function inspect(container: ObservedContainer) {
  const engine = rawEngines()[container.host as "alpha" | "beta"];
  const info = await engine.getContainer(container.id).inspect();
  return {
    binds: info.HostConfig.Binds ?? [],
    mounts: info.Mounts.map((m) => `${m.Type}:${m.Source}`),
    env: info.Config.Env,
  };
}

beforeAll(async () => {
  secretsDir = mkdtempSync(join(tmpdir(), "dockhand-secrets-"));
  writeFileSync(join(secretsDir, "PROD_TOKEN"), PROD_TOKEN);
  writeFileSync(join(secretsDir, "PREVIEW_TOKEN"), PREVIEW_TOKEN);
  const key = Buffer.alloc(32, 7);
  bed = await startPreviewRig({
    tweak: (work) => {
      edit(work, "dockhand.yaml", (t) => `${t}previews: { domain: ${DOMAIN}, ttl: 1h, maxActive: 5 }\n`);
      edit(
        work,
        "apps/web.yaml",
        (t) => `${t}secrets: [PROD_TOKEN]\npreviews: { enabled: true, secrets: [PREVIEW_TOKEN] }\n`,
      );
    },
    deps: { secrets: new DirectorySecrets({ dir: secretsDir, key: async () => key }) },
  });
  knownHosts = new RedisKnownHosts(bed.redis, bed.prefix);
  bed.deps.knownHosts = knownHosts;
  untracked = createSourceRepo({ Dockerfile: "FROM busybox:stable\n" }, "probe");
});

afterAll(async () => {
  await bed?.close();
  rmSync(secretsDir, { recursive: true, force: true });
  if (untracked) rmSync(untracked.root, { recursive: true, force: true });
});

describe("a pull request's head cannot widen what its preview may touch", () => {
  it("a fork that turns on allowForks, mounts the Docker socket and lists a secret gets no container, and is told why", async () => {
    const sha = bed.pushBranch("pr-21", (work) => {
      edit(work, "dockhand.yaml", (t) => t.replace("maxActive: 5 }", "maxActive: 5, allowForks: true }"));
      edit(work, "apps/web.yaml", grab);
    });
    const outcome = await bed.run(bed.prEvent("opened", 21, sha, { fork: true }));
    expect(outcome.status).toBe("noop");
    expect(await bed.containers("pr-21", true)).toEqual([]);
    const comment = bed.comment(21);
    expect(comment).toContain("#### Preview `pr-21`: :no_entry: not started");
    expect(comment).toContain("the tracked branch's previews.allowForks is true");
  });

  it("a PR of the repo itself runs its own image and env, without host mounts or the app's secrets", async () => {
    const sha = bed.pushBranch("pr-22", (work) => {
      edit(work, "apps/web.yaml", (t) => grab(t.replace("GREETING: hello", "GREETING: from-the-pr")));
      edit(work, "apps/api.yaml", (t) => `${t}previews: { enabled: true }\n`);
    });
    const outcome = await bed.run(bed.prEvent("opened", 22, sha));
    expect(outcome.status).toBe("succeeded");
    const running = await bed.containers("pr-22");
    expect(running.map((c) => `${c.app} ${c.slot}`)).toEqual(["web 0"]);
    const seen = await inspect(running[0] as ObservedContainer);
    expect(seen.binds).toEqual([]);
    expect(seen.mounts.filter((m) => m.startsWith("bind:"))).toEqual([]);
    expect(seen.env).toContain("GREETING=from-the-pr");
    expect(seen.env).toContain(`PREVIEW_TOKEN=${PREVIEW_TOKEN}`);
    expect(seen.env.filter((e) => e.includes(PROD_TOKEN))).toEqual([]);
  });

  it("a head that points status.branch at main does not move main: the status goes to the tracked branch's status branch", async () => {
    const main = git(bed.repo.remote, "rev-parse", "main");
    const sha = bed.pushBranch("pr-23", (work) => {
      edit(work, "dockhand.yaml", (t) => `${t}status: { branch: main }\n`);
    });
    expect((await bed.run(bed.prEvent("opened", 23, sha))).status).toBe("succeeded");
    expect(git(bed.repo.remote, "rev-parse", "main")).toBe(main);
    expect(JSON.parse(statusFile(bed.repo.remote, "pr-23.json")).apps.web).toBeDefined();
  });

  it("a head that renames a host onto an engine in use makes no later production sync remove production containers", async () => {
    const production = await runSync({ trigger: "cli", env: "production" }, bed.deps);
    expect(production.status).toBe("succeeded");
    const before = (await bed.containers("production")).map((c) => c.id).sort();
    expect(before).toHaveLength(5);
    const sha = bed.pushBranch("pr-24", (work) => edit(work, "dockhand.yaml", (t) => t.replace("  beta:", "  delta:")));
    await bed.run(bed.prEvent("opened", 24, sha));
    expect((await knownHosts.load()).map((h) => h.name).sort()).toEqual(["alpha", "beta"]);
    const again = await runSync({ trigger: "cli", env: "production" }, bed.deps);
    expect(again.apps.filter((a) => a.status !== "noop")).toEqual([]);
    expect((await bed.containers("production")).map((c) => c.id).sort()).toEqual(before);
    expect(bed.comment(24)).toContain(NOT_CONTACTED);
  });

  it("a PR plan contacts no engine and clones no repository the head names, and says so", async () => {
    const connections: number[] = [];
    const probe: Server = createServer((socket) => {
      connections.push(Date.now());
      socket.destroy();
    });
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    const mirrorsBefore = readdirSync(bed.cache).sort();
    try {
      const sha = bed.pushBranch("pr-25", (work) => {
        edit(work, "dockhand.yaml", (t) =>
          t.replace("hosts:\n", `hosts:\n  probe: { docker: "tcp://127.0.0.1:${port}", address: 127.0.0.1 }\n`),
        );
        mkdirSync(join(work, "apps"), { recursive: true });
        writeFileSync(
          join(work, "apps/probe.yaml"),
          `name: probe\nbuild: { git: "${untracked.remote}", context: . }\nport: 8080\nplacement: { hosts: [probe] }\n`,
        );
      });
      await bed.run(bed.prEvent("opened", 25, sha));
      expect(connections).toEqual([]);
      expect(readdirSync(bed.cache).sort()).toEqual(mirrorsBefore);
      const comment = bed.comment(25);
      expect(comment).toContain(NOT_CONTACTED);
      expect(comment).toContain(NOT_FETCHED);
    } finally {
      await new Promise((resolve) => probe.close(resolve));
    }
  });

  it("the preview label approves the head it was added to: a later push from the fork needs it again", async () => {
    const first = bed.pushBranch("pr-26", (work) => edit(work, "apps/web.yaml", (t) => t.replace("hello", "reviewed")));
    const labelled = { fork: true, labels: [PREVIEW_LABEL], label: PREVIEW_LABEL };
    expect((await bed.run(bed.prEvent("labeled", 26, first, labelled))).status).toBe("succeeded");
    expect((await bed.containers("pr-26")).map((c) => c.app)).toEqual(["web"]);
    bed.github.fake.resources.addLabel(PREVIEW_REPOSITORY, 26, PREVIEW_LABEL);
    const second = bed.pushBranch("pr-26", (work) => edit(work, "apps/web.yaml", (t) => t.replace("hello", "sneaky")));
    await bed.run(bed.prEvent("synchronize", 26, second, { fork: true, labels: [PREVIEW_LABEL] }));
    expect(await bed.containers("pr-26")).toEqual([]);
    expect(bed.comment(26)).toContain("a maintainer must add the label again");
    expect(await bed.deps.previews?.approval("pr-26")).toBeUndefined();
    expect(bed.github.fake.resources.labelsOf(PREVIEW_REPOSITORY, 26)).toEqual([]);
    expect(bed.github.fake.violations).toEqual([]);
  });
});
