/**
 * A secret's value never leaves the worker through what a container or hook
 * prints: an app whose container prints its secret (raw and in base64) and
 * dies, and hooks that echo it and fail or hang, go through a real sync on
 * the test bed engines; the value shows in none of the returned outcome, the
 * reports, the deploy history and failure records in Redis, or the log. The
 * same for a pull request's preview given the secret by previews.secrets.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts } from "../../src/docker/index.js";
import { DirectoryRepo } from "../../src/git/index.js";
import type { AppOutcome, DeployOutcome, DeployReporter, PullRequestReporter, SyncJob } from "../../src/model/index.js";
import { DeployHistory } from "../../src/worker/history/deploy-history.js";
import { recordSyncs } from "../../src/worker/history/record-syncs.js";
import { pullRequestJob } from "../../src/worker/previews/pull-request-job.js";
import { RedisPreviewRegistry } from "../../src/worker/previews/redis-preview-registry.js";
import { runPullRequest } from "../../src/worker/previews/run-pull-request.js";
import { fileDigestKey } from "../../src/worker/secrets/digest-key.js";
import { DirectorySecrets } from "../../src/worker/secrets/directory-secrets.js";
import { RedisFailedSpecs } from "../../src/worker/sync/failed-specs.js";
import type { SyncDeps } from "../../src/worker/sync/run-sync.js";
import { appYaml, createRolloutBed, hostsYaml, type RolloutBed } from "../integration/rollout/rollout-fixtures.js";
import { leaks, MASKED, TOKEN } from "./secrets-forms.js";

/** Prints the secret on stdout, on stderr, in base64 alone and inside a longer base64 text, and dies. */
const LEAKY_COMMAND = `[sh, -c, 'echo "token $API_TOKEN"; echo "stderr token $API_TOKEN" >&2; printf %s "$API_TOKEN" | base64; printf "API_TOKEN=%s" "$API_TOKEN" | base64; exit 3']`;

let bed: RolloutBed;
let secretsDir: string;
let secrets: DirectorySecrets;
const logLines: string[] = [];
const log = pino({ level: "debug" }, { write: (line: string) => logLines.push(line) });
const reported: string[] = [];
const reporter: DeployReporter = {
  started: async (ctx) => void reported.push(JSON.stringify(ctx)),
  planned: async (ctx, planned) => void reported.push(JSON.stringify({ ctx, planned })),
  finished: async (ctx, finished) => void reported.push(JSON.stringify({ ctx, finished })),
};

function app(name: string, extra: Record<string, string>): string {
  return appYaml(name, bed.image, {
    replicas: "1",
    secrets: "[API_TOKEN]",
    health: "{ path: /healthz, within: 20s, stable: 200ms }",
    rollout: "{ drain: 0s }",
    ...extra,
  });
}

/** Every key of the install in Redis, whatever its type, as one text. */
async function redisText(): Promise<string> {
  const { redis, prefix } = bed;
  const parts: string[] = [];
  for (const key of await redis.keys(`${prefix}*`)) {
    const type = await redis.type(key);
    if (type === "string") parts.push((await redis.get(key)) ?? "");
    else if (type === "hash") parts.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === "list") parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
    else if (type === "stream") parts.push(JSON.stringify(await redis.xrange(key, "-", "+")));
    else if (type === "set") parts.push(JSON.stringify(await redis.smembers(key)));
    else if (type === "zset") parts.push(JSON.stringify(await redis.zrange(key, 0, -1)));
    else throw new Error(`key ${key} has type ${type}, which this test cannot read`);
  }
  return parts.join("\n");
}

function appOf(outcome: DeployOutcome, name: string): AppOutcome {
  const found = outcome.apps.find((a) => a.app === name);
  if (!found) throw new Error(`no outcome for ${name}: ${JSON.stringify(outcome)}`);
  return found;
}

beforeAll(async () => {
  bed = await createRolloutBed({ hostsYaml: `${hostsYaml()}previews: { domain: preview.test, ttl: 1h }\n` });
  secretsDir = mkdtempSync(join(tmpdir(), "dockhand-secrets-"));
  writeFileSync(join(secretsDir, "API_TOKEN"), `${TOKEN}\n`);
  secrets = new DirectorySecrets({
    dir: secretsDir,
    key: () => fileDigestKey(join(bed.dir, ".state", "secrets-digest.key")),
  });
  bed.writeApp(
    "web",
    app("web", {
      command: LEAKY_COMMAND,
      hooks: `{ beforeDeploy: [sh, -c, 'echo "hook says $API_TOKEN"; printf %s "$API_TOKEN" | base64'] }`,
      previews: "{ enabled: true, secrets: [API_TOKEN] }",
    }),
  );
  bed.writeApp(
    "job",
    app("job", { hooks: `{ beforeDeploy: [sh, -c, 'echo "migration failed: $API_TOKEN" >&2; exit 1'] }` }),
  );
  bed.writeApp(
    "slow",
    app("slow", { hooks: `{ beforeDeploy: [sh, -c, 'echo "waiting with $API_TOKEN"; sleep 30'], timeout: 1s }` }),
  );
});

afterAll(async () => {
  await bed?.close();
  rmSync(secretsDir, { recursive: true, force: true });
});

describe("secret values printed by containers and hooks", () => {
  it("reach no outcome, report, Redis key or log line of a sync", async () => {
    const history = new DeployHistory(bed.redis, { prefix: bed.prefix });
    const recorder = recordSyncs(history);
    const job: SyncJob = { trigger: "push", env: "production", delivery: "d-1" };
    recorder.onActive(job);
    const outcome = await bed.sync(job, {
      secrets,
      log,
      reporter,
      failedSpecs: new RedisFailedSpecs(bed.redis, bed.prefix),
      approve: (plan) => recorder.approve(plan),
      onStep: (event) => recorder.onStep(event),
    });
    recorder.onOutcome(job, outcome);
    await recorder.settled();

    // What was printed arrived, masked: the test would pass for nothing otherwise.
    const web = appOf(outcome, "web");
    // The container dies at once: found at start or in the health wait, depending on timing.
    expect(web).toMatchObject({
      failedStep: expect.stringMatching(/^(start|waitHealthy)$/),
      error: { code: "DOCKHAND_E_HEALTH" },
    });
    expect(web.error?.logsTail).toContain(`token ${MASKED}`);
    expect(web.error?.logsTail).toContain(`stderr token ${MASKED}`);
    expect(appOf(outcome, "job")).toMatchObject({ failedStep: "hook", error: { code: "DOCKHAND_E_HOOK" } });
    expect(appOf(outcome, "job").error?.logsTail).toContain(`migration failed: ${MASKED}`);
    expect(appOf(outcome, "slow").error?.message).toContain(`waiting with ${MASKED}`);
    const hookLines = logLines.filter((l) => l.includes('"hook"')).map((l) => JSON.parse(l).output);
    expect(hookLines).toEqual(expect.arrayContaining([`hook says ${MASKED}`, MASKED]));
    expect((await history.lastOutcomes()).find((a) => a.app === "web")?.logsTail).toContain(MASKED);

    expect(leaks(JSON.stringify(outcome))).toEqual([]);
    expect(reported.length).toBeGreaterThanOrEqual(3);
    expect(leaks(reported.join("\n"))).toEqual([]);
    expect(leaks(await redisText())).toEqual([]);
    expect(leaks(logLines.join(""))).toEqual([]);
  });

  it("reach nothing a pull request's preview reports", async () => {
    const told: string[] = [];
    const pullRequests: PullRequestReporter = { report: async (report) => void told.push(JSON.stringify(report)) };
    reported.length = 0;
    logLines.length = 0;
    const deps: SyncDeps = {
      repo: new DirectoryRepo({ dir: bed.dir }),
      dockerFor: (hosts) => createDockerHosts(hosts),
      routes: bed.routes,
      instance: bed.instance,
      log,
      secrets,
      reporter,
      pullRequests,
      previews: new RedisPreviewRegistry(bed.redis, bed.prefix),
    };
    const job = pullRequestJob(
      { action: "deploy", number: 7, sha: "worktree", ref: "feature", fork: false, event: "opened" },
      "acme/deploy",
      "main",
    );
    const outcome = await runPullRequest(job, deps);

    const web = appOf(outcome, "web");
    expect(web.env).toBe("pr-7");
    expect(web.error?.logsTail).toContain(`token ${MASKED}`);
    expect(told.some((t) => t.includes('"state":"failed"'))).toBe(true);

    expect(leaks(JSON.stringify(outcome))).toEqual([]);
    expect(leaks(told.join("\n"))).toEqual([]);
    expect(leaks(reported.join("\n"))).toEqual([]);
    expect(leaks(await redisText())).toEqual([]);
    expect(leaks(logLines.join(""))).toEqual([]);
  });
});
