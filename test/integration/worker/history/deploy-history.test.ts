/**
 * The deploy history against the test bed's real Redis, under a key prefix of
 * its own: a run's progress is visible while it runs, its outcome afterwards,
 * totals and the duration histogram add up, and every applied plan is audited.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeployOutcome, Plan } from "../../../../src/model/index.js";
import { DeployHistory } from "../../../../src/worker/history/deploy-history.js";
import { recordSyncs } from "../../../../src/worker/history/record-syncs.js";
import { testbed } from "../../../support/testbed.js";

const prefix = `dockhand:test-history-${randomUUID().slice(0, 8)}:`;
let redis: Redis;

function history(now?: () => number): DeployHistory {
  return new DeployHistory(redis, { prefix: `${prefix}${randomUUID().slice(0, 4)}:`, ...(now ? { now } : {}) });
}

const SHA = "a".repeat(40);

function plan(apps: string[]): Plan {
  return {
    source: { repo: "/deploy", sha: SHA },
    warnings: [],
    changes: apps.map((app) => ({
      app,
      env: "production",
      kind: "update",
      reasons: ["image changed"],
      slots: [],
      steps: [],
    })),
  };
}

function outcome(apps: Array<[string, DeployOutcome["apps"][number]["status"], number]>): DeployOutcome {
  const list = apps.map(([app, status, durationMs]) => ({
    app,
    env: "production",
    status,
    durationMs,
    ...(status === "rolledBack"
      ? {
          failedStep: "waitHealthy" as const,
          error: { code: "DOCKHAND_E_HEALTH" as const, message: "not healthy", logsTail: "boom\n" },
        }
      : {}),
  }));
  const failed = list.some((a) => a.status === "rolledBack");
  return {
    sha: SHA,
    status: failed ? "failed" : list.some((a) => a.status !== "noop") ? "succeeded" : "noop",
    apps: list,
  };
}

beforeAll(() => {
  redis = new Redis(testbed().redisUrl, { maxRetriesPerRequest: null });
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe("DeployHistory", () => {
  it("shows a running deploy with its steps, then the finished deploy, its apps' last outcomes and the audit", async () => {
    const h = history();
    const run = h.begin({ env: "production", actor: { trigger: "push", delivery: "d-1" } });
    run.planned(plan(["web"]));
    run.step({ app: "web", env: "production", step: "start web-0 on alpha", phase: "start" });
    run.step({ app: "web", env: "production", step: "start web-0 on alpha", phase: "done", durationMs: 300 });
    await run.finish({ sha: SHA, status: "noop", apps: [] });
    const live = h.begin({ env: "production", actor: { trigger: "cli", user: "ops@box" } });
    live.planned(plan(["web", "api"]));
    live.step({ app: "api", env: "production", step: "pull api on beta", phase: "start" });
    await live.flushed();
    const current = await h.current();
    expect(current).toMatchObject([
      { env: "production", sha: SHA, changing: ["web", "api"], actor: { trigger: "cli" } },
    ]);
    expect(current[0]?.steps.map((s) => s.phase)).toEqual(["start"]);

    const record = await live.finish(
      outcome([
        ["web", "succeeded", 4_200],
        ["api", "rolledBack", 900],
      ]),
    );
    expect(record?.status).toBe("failed");
    expect(await h.current()).toEqual([]);
    const [recent] = await h.recent();
    expect(recent).toMatchObject({ id: live.id, status: "failed", actor: { trigger: "cli", user: "ops@box" } });
    const last = Object.fromEntries((await h.lastOutcomes()).map((o) => [o.app, o]));
    expect(last.web).toMatchObject({ status: "succeeded", durationMs: 4_200, sha: SHA });
    expect(last.api).toMatchObject({ status: "rolledBack", failedStep: "waitHealthy", logsTail: "boom\n" });
    const audit = await h.audit();
    expect(audit[0]).toMatchObject({ id: live.id, actor: { trigger: "cli" }, status: "failed" });
    const audited = audit[0]?.plan as { apps: Array<{ app: string }> } | undefined;
    expect(audited?.apps.map((a) => a.app)).toEqual(["web", "api"]);
  });

  it("keeps noop syncs out of the recent deploys and the audit, but remembers them as the last sync", async () => {
    const h = history();
    const run = h.begin({ env: "production", actor: { trigger: "poll" } });
    run.planned({ ...plan([]), changes: [] });
    await run.finish({ sha: SHA, status: "noop", apps: [] });
    expect(await h.recent()).toEqual([]);
    expect(await h.audit()).toEqual([]);
    expect(await h.lastSyncs()).toMatchObject([{ env: "production", sha: SHA, status: "noop" }]);
  });

  it("counts outcomes and fills a cumulative duration histogram, every bound present", async () => {
    const h = history();
    for (const seconds of [0.5, 3, 3, 45]) {
      const run = h.begin({ env: "production", actor: { trigger: "push" } });
      await run.finish(outcome([["web", "succeeded", seconds * 1000]]));
    }
    await h.begin({ env: "production", actor: { trigger: "push" } }).finish(outcome([["web", "rolledBack", 2_000]]));
    const stats = await h.stats();
    expect(stats.deploys).toEqual([
      { env: "production", app: "web", outcome: "rolledBack", count: 1 },
      { env: "production", app: "web", outcome: "succeeded", count: 4 },
    ]);
    const web = stats.durations.find((d) => d.app === "web");
    const bucket = (le: number) => web?.buckets.find((b) => b.le === le)?.count;
    expect([bucket(1), bucket(2), bucket(5), bucket(30), bucket(60), bucket(Number.POSITIVE_INFINITY)]).toEqual([
      1, 2, 4, 4, 5, 5,
    ]);
    expect(web?.buckets).toHaveLength(12);
    expect(web?.count).toBe(5);
    expect(web?.sum).toBeCloseTo(53.5);
  });

  it("drops a running deploy whose worker stopped reporting", async () => {
    let now = 1_000_000;
    const h = history(() => now);
    await h.begin({ env: "production", actor: { trigger: "push" } }).flushed();
    expect(await h.current()).toHaveLength(1);
    now += 16 * 60_000;
    expect(await h.current()).toEqual([]);
    expect(await redis.hlen(h.keys.current)).toBe(0);
  });

  it("records what a worker's sync hooks report, and a sync that threw as failed", async () => {
    const h = history();
    const recorder = recordSyncs(h);
    const job = { trigger: "push" as const, env: "production", sha: SHA, delivery: "d-2" };
    recorder.onActive(job);
    await recorder.approve(plan(["web"]));
    recorder.onStep({ app: "web", env: "production", step: "start web-0 on alpha", phase: "start" });
    recorder.onOutcome({ ...job }, outcome([["web", "succeeded", 1_000]]));
    recorder.onFailed(job, new Error("ignored: the run is closed"));
    await recorder.settled();
    expect(await h.recent()).toMatchObject([{ status: "succeeded", actor: { trigger: "push", delivery: "d-2" } }]);

    recorder.onActive({ trigger: "startup", env: "production" });
    recorder.onFailed({ trigger: "startup", env: "production" }, new Error("git fetch failed"));
    await recorder.settled();
    const [failed] = await h.recent();
    expect(failed).toMatchObject({ status: "failed", actor: { trigger: "startup" } });
    expect(failed?.outcome.error?.message).toBe("git fetch failed");
  });

  it("announces every change to subscribers in other connections", async () => {
    const h = history();
    let changes = 0;
    const unsubscribe = await h.subscribe(() => {
      changes += 1;
    });
    try {
      const run = h.begin({ env: "production", actor: { trigger: "api" } });
      await run.finish(outcome([["web", "succeeded", 100]]));
      const deadline = Date.now() + 5_000;
      while (changes < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(changes).toBeGreaterThanOrEqual(2);
    } finally {
      await unsubscribe();
    }
  });
});
