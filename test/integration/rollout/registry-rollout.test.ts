/**
 * Issue 4, Images, through the test bed's real registry (127.0.0.1:5000,
 * htpasswd): with dockhand.yaml `registry:`, a build is built once, pushed
 * once and pulled by the other host (no ship); an `image:` is pulled once per
 * host however many slots it has; wrong credentials and a missing reference
 * fail the rollout with messages naming what is wrong. Real engines, real
 * registry, the real executor through runSync (as `dockhand apply`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts } from "../../../src/docker/index.js";
import type { HostSpec, Plan, Step } from "../../../src/model/index.js";
import {
  deleteFromRegistry,
  registryTags,
  removeImages,
  seedRegistry,
  writeAuthFile,
} from "../../support/registry-seed.js";
import { testbedRegistry } from "../../support/testbed.js";
import { APP_PORT, createRolloutBed, hostsYaml, type RolloutBed } from "./rollout-fixtures.js";

const reg = testbedRegistry();
let bed: RolloutBed;
let namespace: string;
const pushed: Array<{ repository: string; tag: string }> = [];
const pulled: string[] = [];

const IMAGE_KINDS = new Set<Step["kind"]>(["build", "ship", "push", "pull"]);

function dockerWith(authFile: string) {
  return (hosts: HostSpec[]) => createDockerHosts(hosts, { env: { ...process.env, DOCKHAND_REGISTRY_AUTH: authFile } });
}

/** One sync; resolves with its outcome, the image steps it planned and the step events it ran. */
async function apply(authFile = reg.authFile) {
  const plans: Plan[] = [];
  const ran: string[] = [];
  const outcome = await bed.sync(
    {},
    {
      dockerFor: dockerWith(authFile),
      approve: async (plan) => {
        plans.push(plan);
        return true;
      },
      onStep: (event) => {
        if (event.phase === "done") ran.push(event.step);
      },
    },
  );
  const imageSteps = plans.flatMap((p) => p.changes.flatMap((c) => c.steps)).filter((s) => IMAGE_KINDS.has(s.kind));
  return { outcome, imageSteps, ran };
}

async function pages(app: string): Promise<string[]> {
  const running = await bed.running(app);
  return Promise.all(
    running.map(async (c) => {
      const address = c.host === "alpha" ? "127.0.0.1" : "127.0.0.2";
      return (await (await fetch(`http://${address}:${c.hostPort}/`)).text()).trim();
    }),
  );
}

const SERVE = `command: [sh, -c, "mkdir -p /www && echo served > /www/index.html && echo ok > /www/healthz && exec httpd -f -p ${APP_PORT} -h /www"]`;

function appFile(name: string, source: string, replicas: number): string {
  return `name: ${name}\n${source}\nport: ${APP_PORT}\nreplicas: ${replicas}\nhealth: { path: /healthz, stable: 0s }\nrollout: { drain: 0s, batch: 4 }\nstopTimeout: 1s\n${SERVE}\n`;
}

beforeAll(async () => {
  bed = await createRolloutBed();
  namespace = `dockhand-test/${bed.instance}`;
  writeFileSync(
    join(bed.dir, "dockhand.yaml"),
    `${hostsYaml()}registry: { address: ${reg.address}, namespace: ${namespace} }\n`,
  );
  mkdirSync(join(bed.dir, "services", "web"), { recursive: true });
  writeFileSync(
    join(bed.dir, "services", "web", "Dockerfile"),
    `FROM busybox:stable\nLABEL dockhand-test.run=${bed.runId}\n`,
  );
}, 60_000);

afterAll(async () => {
  await bed?.close();
  await removeImages(pulled);
  for (const { repository, tag } of pushed) await deleteFromRegistry(repository, tag);
});

describe("builds through the registry", () => {
  it("builds on one host, pushes once, pulls on the other, ships nothing; the app serves on both", async () => {
    bed.writeApp("web", appFile("web", "build: { context: services/web }", 2));
    const { outcome, imageSteps, ran } = await apply();
    expect(outcome.status).toBe("succeeded");
    const image = imageSteps[0]?.kind === "build" ? imageSteps[0].image : "";
    expect(image).toMatch(new RegExp(`^${reg.address.replace(/\./g, "\\.")}/${namespace}/web:[0-9a-f]{12}$`));
    pulled.push(image);
    expect(imageSteps).toEqual([
      { kind: "build", host: "alpha", image, context: "services/web", dockerfile: "Dockerfile" },
      { kind: "push", host: "alpha", image },
      { kind: "pull", host: "beta", image },
    ]);
    expect(ran.filter((s) => /^(build|push|pull|ship) /.test(s))).toEqual([
      `build ${image} on alpha`,
      `push ${image} from alpha`,
      `pull ${image} on beta`,
    ]);
    const tag = image.slice(image.lastIndexOf(":") + 1);
    pushed.push({ repository: `${namespace}/web`, tag });
    expect(await registryTags(`${namespace}/web`)).toEqual([tag]);
    expect(await bed.docker.hasImage("beta", image)).toBe(true);
    expect((await bed.running("web")).map((c) => c.host).sort()).toEqual(["alpha", "beta"]);
    expect(await pages("web")).toEqual(["served", "served"]);
  });

  it("a second sync of the same commit plans no image step at all", async () => {
    const { outcome, imageSteps } = await apply();
    expect(outcome.status).toBe("noop");
    expect(imageSteps).toEqual([]);
  });
});

describe("image: pulled with dockhand's credentials", () => {
  it("pulls once per host however many slots need it, and serves", async () => {
    const image = await seedRegistry(`${namespace}/seeded`, "v1");
    pushed.push({ repository: `${namespace}/seeded`, tag: "v1" });
    pulled.push(image);
    bed.writeApp("seeded", appFile("seeded", `image: ${image}`, 4));
    const { outcome, imageSteps, ran } = await apply();
    expect(outcome.status).toBe("succeeded");
    expect(imageSteps).toEqual([
      { kind: "pull", host: "alpha", image },
      { kind: "pull", host: "beta", image },
    ]);
    expect(ran.filter((s) => s.startsWith("pull ")).sort()).toEqual([
      `pull ${image} on alpha`,
      `pull ${image} on beta`,
    ]);
    const running = await bed.running("seeded");
    expect(running.map((c) => c.host).sort()).toEqual(["alpha", "alpha", "beta", "beta"]);
    expect(await pages("seeded")).toEqual(["served", "served", "served", "served"]);
  });

  it("wrong credentials: the rollout fails naming host, registry, reference and the credentials file", async () => {
    const image = await seedRegistry(`${namespace}/locked`, "v1");
    pushed.push({ repository: `${namespace}/locked`, tag: "v1" });
    pulled.push(image);
    bed.writeApp("locked", appFile("locked", `image: ${image}`, 1));
    const wrong = writeAuthFile({
      auths: { [reg.address]: { auth: Buffer.from(`${reg.user}:wrong`).toString("base64") } },
    });
    const { outcome } = await apply(wrong);
    const locked = outcome.apps.find((a) => a.app === "locked");
    expect(locked).toMatchObject({ status: "rolledBack", failedStep: "pull", error: { code: "DOCKHAND_E_REGISTRY" } });
    expect(outcome.status).toBe("failed");
    expect(locked?.error?.message).toContain(
      `host alpha: registry ${reg.address} refused the pull of ${image} (unauthorized: authentication required): ` +
        `the credentials for ${reg.address} in ${wrong} (DOCKHAND_REGISTRY_AUTH) were refused`,
    );
    expect(await bed.containers("locked")).toEqual([]);
    bed.removeApp("locked");
  });

  it("a missing reference: the rollout fails naming the host and the reference; nothing starts", async () => {
    const image = `${reg.address}/${namespace}/absent:v1`;
    bed.writeApp("absent", appFile("absent", `image: ${image}`, 1));
    const { outcome } = await apply();
    const absent = outcome.apps.find((a) => a.app === "absent");
    expect(absent).toMatchObject({ status: "rolledBack", failedStep: "pull", error: { code: "DOCKHAND_E_REGISTRY" } });
    expect(outcome.status).toBe("failed");
    expect(absent?.error?.message).toContain(`host alpha: image ${image} not found in registry ${reg.address}`);
    expect(await bed.containers("absent")).toEqual([]);
    bed.removeApp("absent");
  });
});
