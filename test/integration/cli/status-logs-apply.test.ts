/**
 * `dockhand apply`, `status` and `logs` as a user runs them, on the test
 * bed's two engines, with the private Redis under a state dir of this file
 * and an instance of its own. web's containers print a numbered tick every
 * second, so logs have something to merge.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts } from "../../../src/docker/index.js";
import type { StatusSnapshot } from "../../../src/http/index.js";
import { copyExample } from "../../support/deploy-repo.js";
import { runCli, startDockhand } from "../../support/dockhand-process.js";
import { testbedHosts } from "../../support/testbed.js";
import { waitFor } from "../../support/wait-for.js";

const instance = `t${randomUUID().slice(0, 6)}`;
const root = mkdtempSync(join(tmpdir(), "dockhand-cli-"));
const repo = join(root, "repo");
const env = { DOCKHAND_INSTANCE: instance, DOCKHAND_STATE_DIR: join(root, "state"), REDIS_URL: "" };
const docker = createDockerHosts(testbedHosts());
const TICKS = `trap 'exit 0' TERM; httpd -f -p 8080 -h /www & i=0; while true; do i=$((i+1)); echo "tick $i $(date +%s)"; sleep 1; done`;
const LOG_LINE = /^(alpha|beta)\/([0-2]) +\| tick (\d+) (\d+)$/;

let events: Array<Record<string, unknown>>;

beforeAll(async () => {
  copyExample(repo);
  const dockerfile = join(repo, "services/web/Dockerfile");
  writeFileSync(
    dockerfile,
    readFileSync(dockerfile, "utf8").replace(/^CMD .*$/m, `CMD ${JSON.stringify(["sh", "-c", TICKS])}`),
  );
  const applied = await runCli(["apply", "--repo", repo, "--yes", "--json"], env);
  expect(applied.stderr).toBe("");
  expect(applied.code).toBe(0);
  events = applied.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
});

afterAll(async () => {
  const observed = await docker.observe(instance);
  for (const c of observed.hosts.flatMap((h) => h.containers)) await docker.remove(c.host, c.id);
  await docker.close();
  rmSync(root, { recursive: true, force: true });
});

describe("dockhand apply", () => {
  it("--json prints the plan, every step as it starts and ends, and the outcome, one JSON event per line", () => {
    expect(events[0]).toMatchObject({ event: "plan", plan: { version: 1, summary: { create: 5 } } });
    const steps = events.filter((e) => e.event === "step");
    expect(steps.filter((s) => s.phase === "start").length).toBe(steps.filter((s) => s.phase === "done").length);
    expect(steps.find((s) => s.phase === "done" && String(s.step).startsWith("waitHealthy"))).toMatchObject({
      app: expect.stringMatching(/^(web|api)$/),
      env: "production",
      durationMs: expect.any(Number),
    });
    expect(events.at(-1)).toMatchObject({ event: "outcome", status: "succeeded", durationMs: expect.any(Number) });
  });

  it("prints a line per finished step and a summary in plain mode (no terminal)", async () => {
    writeFileSync(
      join(repo, "apps/api.yaml"),
      readFileSync(join(repo, "apps/api.yaml"), "utf8").replace("replicas: 2", "replicas: 3"),
    );
    const result = await runCli(["apply", "--repo", repo, "--yes"], env);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}✓ api\/production {2}start \S+-api-production-2-\w+ on (alpha|beta) {2}\((\d+ ms|\d+(\.\d+)? s)\)$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}✓ api\/production {2}waitHealthy .+\((\d+ ms|\d+(\.\d+)? s)\)$/),
    );
    expect(lines.at(-1)).toMatch(/^Deploy succeeded at worktree in [\d.]+ (ms|s): api succeeded \([\d.]+ (ms|s)\)\.$/);
  });
});

describe("dockhand status", () => {
  it("--json: desired vs running, hosts, health, commit and last outcome per app, and who deployed", async () => {
    const result = await runCli(["status", "--repo", repo, "--json"], env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout) as StatusSnapshot;
    const apps = Object.fromEntries((status.environments[0]?.apps ?? []).map((a) => [a.app, a]));
    expect(apps.web).toMatchObject({
      desiredReplicas: 3,
      runningReplicas: 3,
      health: "healthy",
      hosts: ["alpha", "beta"],
    });
    expect(apps.web?.commits).toEqual(["worktree"]);
    expect(apps.web?.lastOutcome).toMatchObject({ status: "succeeded" });
    expect(apps.api).toMatchObject({ desiredReplicas: 3, runningReplicas: 3, lastOutcome: { status: "succeeded" } });
    expect(status.history).toEqual({ available: true });
    expect(status.deploys.recent[0]?.actor).toMatchObject({ trigger: "cli", user: expect.stringContaining("@") });
    expect(status.queue?.counts).toEqual({ active: 0, waiting: 0, delayed: 0, failed: 0 });
    expect(status.holds).toEqual([]);
  });

  it("prints a table per environment", async () => {
    const result = await runCli(["status", "--repo", repo], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}APP +REPLICAS +HEALTH +HOSTS +COMMIT +LAST DEPLOY$/m);
    expect(result.stdout).toMatch(/^ {2}web +3\/3 +healthy +alpha,beta +worktree +succeeded in [\d.]+ s at worktree$/m);
    expect(result.stdout).toMatch(/^queue: 0 running, 0 pending, 0 failed$/m);
  });

  it("without Redis says so and still shows what runs", async () => {
    const none = await runCli(["status", "--repo", repo], { ...env, DOCKHAND_STATE_DIR: join(root, "elsewhere") });
    expect(none.code).toBe(0);
    expect(none.stdout).toContain(
      `deploy history, queue and holds unavailable: no dockhand Redis under ${join(root, "elsewhere")}`,
    );
    expect(none.stdout).toMatch(/^ {2}web +3\/3 +healthy /m);
    const down = await runCli(["status", "--repo", repo], { ...env, REDIS_URL: "redis://127.0.0.1:1" });
    expect(down.code).toBe(0);
    expect(down.stdout).toContain("unavailable: Redis at REDIS_URL did not answer");
    expect(down.stdout).toMatch(/^ {2}api +3\/3 +healthy /m);
  });
});

describe("dockhand logs", () => {
  it("merges the app's containers across hosts, in the order written, each line prefixed host/slot", async () => {
    await waitFor("every web container to have ticked twice", async () => {
      const r = await runCli(["logs", "web", "--repo", repo, "--tail", "2"], env);
      return r.stdout.trim().split("\n").length === 6 && r;
    });
    const result = await runCli(["logs", "web", "--repo", repo, "--tail", "all"], env);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    const parsed = lines.map((l) => LOG_LINE.exec(l));
    expect(parsed.every(Boolean), lines.join("\n")).toBe(true);
    const prefixes = new Set(parsed.map((m) => `${m?.[1]}/${m?.[2]}`));
    expect(prefixes.size).toBe(3);
    const seconds = parsed.map((m) => Number(m?.[4]));
    expect(seconds).toEqual([...seconds].sort((a, b) => a - b));
  });

  it("--tail and --since bound the lines", async () => {
    const one = await runCli(["logs", "web", "--repo", repo, "--tail", "1"], env);
    expect(one.stdout.trim().split("\n")).toHaveLength(3);
    const future = await runCli(["logs", "web", "--repo", repo, "--since", "2999-01-01T00:00:00Z"], env);
    expect(future.code).toBe(0);
    expect(future.stdout).toBe("");
  });

  it("-f follows every container until Ctrl-C, then exits 0", async () => {
    const follow = startDockhand(["logs", "web", "--repo", repo, "-f", "--tail", "0"], { ...env, NO_COLOR: "1" });
    try {
      await waitFor(
        "new lines from all three containers",
        () =>
          new Set(follow.lines.map((l) => LOG_LINE.exec(String(l.msg))?.slice(1, 3).join("/")).filter(Boolean)).size ===
          3,
        { timeoutMs: 20_000 },
      );
    } finally {
      expect(await follow.stop("SIGINT")).toBe(0);
    }
  });

  it("an app without containers: stderr names the apps that have some, exit 1", async () => {
    const result = await runCli(["logs", "wbe", "--repo", repo], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: no containers of app "wbe" in environment production; apps with containers there: api, web\n',
    );
  });
});
