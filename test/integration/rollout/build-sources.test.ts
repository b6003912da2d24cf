/**
 * build.git on the real engines: an app built from its own source repository
 * (a bare git remote on disk), at the head of its branch; a commit there that
 * changes the context rolls the app, one that does not leaves it alone; build
 * args and the target reach the build.
 */
import { mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectoryRepo, SourceRepositories } from "../../../src/git/index.js";
import { SourceReadingRepo } from "../../../src/worker/sync/source-reading-repo.js";
import { createSourceRepo, type TestDeployRepo } from "../../support/deploy-repo.js";
import { APP_PORT, appYaml, createRolloutBed, type RolloutBed } from "./rollout-fixtures.js";

const DOCKERFILE = `FROM busybox:stable AS base
ARG GREETING=unset
COPY page.txt /www/index.html
RUN echo "$GREETING" > /www/greeting.txt && echo ok > /www/healthz
CMD ["httpd", "-f", "-p", "${APP_PORT}", "-h", "/www"]
FROM base AS runtime
RUN echo runtime > /www/stage.txt
FROM base AS debug
RUN echo debug > /www/stage.txt
FROM runtime
`;

let bed: RolloutBed;
let source: TestDeployRepo;
let cacheDir: string;

function sync() {
  const repo = new SourceReadingRepo(new DirectoryRepo({ dir: bed.dir }), new SourceRepositories(cacheDir));
  return bed.sync({}, { repo });
}

async function page(path: string): Promise<string[]> {
  const running = await bed.running("site");
  return Promise.all(
    running.map(async (c) => {
      const address = c.host === "alpha" ? "127.0.0.1" : "127.0.0.2";
      const res = await fetch(`http://${address}:${c.hostPort}${path}`);
      return (await res.text()).trim();
    }),
  );
}

function siteYaml(build: string): string {
  return `name: site\nbuild: ${build}\nport: ${APP_PORT}\nreplicas: 2\nhealth: { path: /healthz, stable: 0s }\nrollout: { drain: 0s }\nstopTimeout: 1s\n`;
}

beforeAll(async () => {
  bed = await createRolloutBed();
  cacheDir = mkdtempSync(join(tmpdir(), "dockhand-sources-"));
  source = createSourceRepo({ "web/Dockerfile": DOCKERFILE, "web/page.txt": "v1\n", "README.md": "the site\n" });
});

afterAll(async () => {
  await bed?.close();
  rmSync(cacheDir, { recursive: true, force: true });
  if (source) rmSync(source.root, { recursive: true, force: true });
});

describe("an app built from its own source repository", () => {
  it("builds the branch head's context on a build host and serves it on both hosts", async () => {
    bed.writeApp("site", siteYaml(`{ git: ${source.remote}, context: web, args: { GREETING: hello } }`));
    const outcome = await sync();
    expect(outcome.status).toBe("succeeded");
    const running = await bed.running("site");
    expect(running.map((c) => c.host).sort()).toEqual(["alpha", "beta"]);
    expect(await page("/")).toEqual(["v1", "v1"]);
    expect(await page("/greeting.txt")).toEqual(["hello", "hello"]);
    expect(await page("/stage.txt")).toEqual(["runtime", "runtime"]);
  });

  it("leaves the app alone after a source commit outside the context", async () => {
    const before = (await bed.running("site")).map((c) => c.id).sort();
    source.edit("README.md", () => "the site, documented\n");
    source.push("docs only");
    const outcome = await sync();
    expect(outcome.status).toBe("noop");
    expect((await bed.running("site")).map((c) => c.id).sort()).toEqual(before);
  });

  it("rolls the app to a source commit that changes the context", async () => {
    const before = (await bed.running("site")).map((c) => c.image);
    source.edit("web/page.txt", () => "v2\n");
    source.push("page v2");
    const outcome = await sync();
    expect(outcome.status).toBe("succeeded");
    expect(await page("/")).toEqual(["v2", "v2"]);
    expect((await bed.running("site")).map((c) => c.image)).not.toEqual(before);
  });

  it("rebuilds for a changed target, which is part of the image tag", async () => {
    bed.writeApp("site", siteYaml(`{ git: ${source.remote}, context: web, args: { GREETING: hello }, target: debug }`));
    const outcome = await sync();
    expect(outcome.status).toBe("succeeded");
    expect(await page("/stage.txt")).toEqual(["debug", "debug"]);
  });

  it("deploys the other apps while a source repository cannot be fetched, and leaves its apps as they run", async () => {
    const before = (await bed.running("site")).map((c) => c.id).sort();
    bed.writeApp("plain", appYaml("plain", bed.image, { health: "{ path: /healthz, stable: 0s }", stopTimeout: "1s" }));
    renameSync(source.remote, `${source.remote}.away`);
    try {
      bed.writeApp(
        "site",
        siteYaml(`{ git: ${source.remote}, context: web, args: { GREETING: hello }, target: debug }`),
      );
      const outcome = await sync();
      const site = outcome.apps.find((a) => a.app === "site");
      expect(site?.status).toBe("failed");
      expect(site?.error?.message).toMatch(
        new RegExp(`^cannot build site: could not fetch ${source.remote}: .*; what runs stays`),
      );
      expect(outcome.apps.find((a) => a.app === "plain")?.status).toBe("succeeded");
      expect((await bed.running("plain")).length).toBe(1);
      expect((await bed.running("site")).map((c) => c.id).sort()).toEqual(before);
    } finally {
      renameSync(`${source.remote}.away`, source.remote);
    }
    expect((await sync()).apps.find((a) => a.app === "site")?.status).not.toBe("failed");
    bed.removeApp("plain");
  });

  it("refuses a branch the source repository lacks, at the app's line, touching nothing", async () => {
    const before = (await bed.running("site")).map((c) => c.id).sort();
    bed.writeApp("site", siteYaml(`{ git: ${source.remote}, branch: nope, context: web }`));
    const outcome = await sync();
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.issues?.map((i) => `${i.file}:${i.line} ${i.path}: ${i.message}`)).toEqual([
      `apps/site.yaml:2 build.git: unknown ref "nope" in ${source.remote}: expected a branch, a tag or a commit sha that exists there`,
    ]);
    expect((await bed.running("site")).map((c) => c.id).sort()).toEqual(before);
  });
});
