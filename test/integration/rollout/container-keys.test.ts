/**
 * Secrets, hooks, resources, volumes, command and stopTimeout on the real
 * engines (issue 4): each maps onto the container, a change rolls the app,
 * a secret's value reaches the container and nothing else (plan, labels,
 * logs), a failing beforeDeploy hook stops the rollout before any traffic
 * moves, and a missing secret is a plan error naming app and secret.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppOutcome, DeployOutcome, Plan } from "../../../src/model/index.js";
import { planToJson, renderPlanText } from "../../../src/planner/index.js";
import { fileDigestKey } from "../../../src/worker/secrets/digest-key.js";
import { DirectorySecrets } from "../../../src/worker/secrets/directory-secrets.js";
import { rawEngines } from "../docker/docker-fixtures.js";
import { APP_PORT, appYaml, createRolloutBed, type RolloutBed } from "./rollout-fixtures.js";

const TOKEN_1 = "s3cret-token-number-one";
const TOKEN_2 = "s3cret-token-number-two";
const SHARED = "shared-s3cret-value";

let bed: RolloutBed;
let secretsDir: string;
let bindDir: string;
let secrets: DirectorySecrets;
const logLines: string[] = [];
const log = pino(
  { level: "debug" },
  new Writable({
    write(chunk: Buffer, _e, done) {
      logLines.push(chunk.toString());
      done();
    },
  }),
);

const COMMAND = `[sh, -c, "mkdir -p /www && echo from-command $PAGE > /www/index.html && echo ok > /www/healthz && exec httpd -f -p ${APP_PORT} -h /www"]`;

/** Shows that the hook gets env and secrets without printing a secret: its length only. */
const HOOK = `[sh, -c, 'echo "hook sees $PAGE and a $(printf %s "$TOKEN" | wc -c)-character token"']`;

function web(options: { page: string; hook?: string; secrets?: string; memory?: string }): string {
  return appYaml("web", bed.image, {
    replicas: "2",
    env: `{ PAGE: ${options.page} }`,
    health: "{ path: /healthz, within: 20s, stable: 200ms }",
    rollout: "{ drain: 0s }",
    secrets: options.secrets ?? "[TOKEN, SHARED]",
    hooks: `{ beforeDeploy: ${options.hook ?? HOOK} }`,
    resources: `{ memory: ${options.memory ?? "64m"}, cpus: 0.5 }`,
    volumes: `[{ name: data, target: /data }, { name: cache, target: /cache, shared: true }, { source: ${bindDir}, target: /etc/dh-bind }]`,
    command: COMMAND,
    stopTimeout: "1s",
  });
}

async function sync(captured?: { plan?: Plan }): Promise<DeployOutcome> {
  return bed.sync(
    {},
    {
      secrets,
      log,
      approve: async (plan) => {
        if (captured) captured.plan = plan;
        return true;
      },
    },
  );
}

function webOutcome(outcome: DeployOutcome): AppOutcome {
  const app = outcome.apps.find((a) => a.app === "web");
  if (!app) throw new Error(`no outcome for web: ${JSON.stringify(outcome)}`);
  return app;
}

async function inspectWeb() {
  const running = await bed.running("web");
  const engines = rawEngines();
  return Promise.all(running.map((c) => engines[c.host as "alpha" | "beta"].getContainer(c.id).inspect()));
}

beforeAll(async () => {
  bed = await createRolloutBed();
  secretsDir = mkdtempSync(join(tmpdir(), "dockhand-secrets-"));
  bindDir = mkdtempSync(join(tmpdir(), "dockhand-bind-"));
  mkdirSync(join(secretsDir, "web"));
  writeFileSync(join(secretsDir, "web", "TOKEN"), `${TOKEN_1}\n`);
  writeFileSync(join(secretsDir, "SHARED"), SHARED);
  secrets = new DirectorySecrets({
    dir: secretsDir,
    key: () => fileDigestKey(join(bed.dir, ".state", "secrets-digest.key")),
  });
  bed.writeApp("web", web({ page: "v1" }));
  const outcome = await sync();
  expect(webOutcome(outcome)).toMatchObject({ status: "succeeded" });
});

afterAll(async () => {
  await bed?.close();
  rmSync(secretsDir, { recursive: true, force: true });
  rmSync(bindDir, { recursive: true, force: true });
});

describe("container keys on the engines", () => {
  it("maps env, secrets, resources, volumes, command and stopTimeout onto every container", async () => {
    const infos = await inspectWeb();
    expect(infos).toHaveLength(2);
    for (const info of infos) {
      expect(info.Config.Env).toEqual(expect.arrayContaining(["PAGE=v1", `TOKEN=${TOKEN_1}`, `SHARED=${SHARED}`]));
      expect(JSON.stringify(info.Config.Labels)).not.toMatch(/s3cret/);
      expect(info.HostConfig.Memory).toBe(64 * 1024 * 1024);
      expect(info.HostConfig.NanoCpus).toBe(500_000_000);
      expect((info.Config as { StopTimeout?: number }).StopTimeout).toBe(1);
      expect(info.Config.Cmd?.[0]).toBe("sh");
      const slot = info.Config.Labels?.["dockhand.slot"];
      const mounts = Object.fromEntries(info.Mounts.map((m) => [m.Destination, m]));
      expect(mounts["/data"]).toMatchObject({
        Type: "volume",
        Name: `${bed.instance}-web-production-data-${slot}`,
        RW: true,
      });
      expect(mounts["/cache"]).toMatchObject({
        Type: "volume",
        Name: `${bed.instance}-web-production-cache`,
        RW: true,
      });
      expect(mounts["/etc/dh-bind"]).toMatchObject({ Type: "bind", Source: bindDir, RW: false });
    }
    const [c] = await bed.running("web");
    const page = await fetch(`http://${c?.host === "alpha" ? "127.0.0.1" : "127.0.0.2"}:${c?.hostPort}/`);
    expect((await page.text()).trim()).toBe("from-command v1");
  });

  it("ran the beforeDeploy hook with the app's env and secrets, and removed its container", async () => {
    const said = logLines.filter((l) => l.includes('"hook"')).map((l) => JSON.parse(l).output);
    expect(said).toContain(`hook sees v1 and a ${TOKEN_1.length}-character token`);
    const left = await rawEngines().alpha.listContainers({ all: true, filters: { label: ["dockhand.hook"] } });
    expect(left.filter((c) => c.Labels["dockhand.instance"] === bed.instance)).toEqual([]);
  });

  it("rolls the app when a secret rotates, naming the secret but never its value", async () => {
    writeFileSync(join(secretsDir, "web", "TOKEN"), TOKEN_2);
    const captured: { plan?: Plan } = {};
    expect(webOutcome(await sync(captured)).status).toBe("succeeded");
    const change = captured.plan?.changes.find((c) => c.app === "web");
    expect(change?.slots.map((s) => s.reasons)).toEqual([["secret TOKEN changed"], ["secret TOKEN changed"]]);
    const shown = [
      renderPlanText(captured.plan as Plan, { color: false }),
      JSON.stringify(planToJson(captured.plan as Plan)),
    ].join("\n");
    expect(shown).not.toMatch(/s3cret/);
    for (const info of await inspectWeb()) expect(info.Config.Env).toContain(`TOKEN=${TOKEN_2}`);
  });

  it("rolls the app when its resources change", async () => {
    bed.writeApp("web", web({ page: "v1", memory: "96m" }));
    const captured: { plan?: Plan } = {};
    expect(webOutcome(await sync(captured)).status).toBe("succeeded");
    expect(captured.plan?.changes.find((c) => c.app === "web")?.slots[0]?.reasons).toEqual(["resources changed"]);
    for (const info of await inspectWeb()) expect(info.HostConfig.Memory).toBe(96 * 1024 * 1024);
  });

  it("fails the rollout before any traffic moves when the hook exits non-zero, with its output", async () => {
    const before = (await bed.running("web")).map((c) => c.id).sort();
    bed.writeApp("web", web({ page: "v2", hook: '[sh, -c, "echo migration 7 failed >&2; exit 2"]' }));
    const app = webOutcome(await sync());
    expect(app).toMatchObject({ status: "rolledBack", failedStep: "hook" });
    expect(app.error?.code).toBe("DOCKHAND_E_HOOK");
    expect(app.error?.message).toMatch(
      /^hook beforeDeploy of web \(sh -c echo migration 7 failed >&2; exit 2\) exited with code 2 on host (alpha|beta); nothing was rolled$/,
    );
    expect(app.error?.logsTail).toBe("migration 7 failed\n");
    expect((await bed.running("web")).map((c) => c.id).sort()).toEqual(before);
  });

  it("makes a missing secret a plan error naming app, secret and where it was looked for", async () => {
    bed.writeApp("web", web({ page: "v1", secrets: "[TOKEN, SHARED, MISSING]" }));
    const app = webOutcome(await sync());
    expect(app.status).toBe("failed");
    expect(app.error).toEqual({
      code: "DOCKHAND_E_PLAN",
      message: `app web (apps/web.yaml): secret MISSING not found; put it in ${secretsDir}/production/web/MISSING, ${secretsDir}/web/MISSING or ${secretsDir}/MISSING`,
    });
  });

  it("never wrote a secret's value to the log", () => {
    expect(logLines.length).toBeGreaterThan(10);
    expect(logLines.join("")).not.toMatch(/s3cret/);
  });
});
