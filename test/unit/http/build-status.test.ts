import { describe, expect, it } from "vitest";
import { buildStatus, type StatusInput, syncLagSeconds } from "../../../src/http/index.js";
import type { AppSpec, DesiredState, ObservedContainer } from "../../../src/model/index.js";

function spec(name: string, replicas: number, placement: AppSpec["placement"] = {}): AppSpec {
  return {
    name,
    env: "production",
    file: `apps/${name}.yaml`,
    image: `${name}:1`,
    replicas,
    port: 8080,
    hostnames: [`${name}.example.com`],
    environment: {},
    health: { timeoutMs: 2000, withinMs: 60000 },
    rollout: { batch: 1, drainMs: 1000 },
    placement,
    specHash: `${name}-spec`,
    specFields: {},
  };
}

function desired(apps: AppSpec[]): DesiredState {
  return {
    source: { repo: "/deploy", sha: "b".repeat(40) },
    hosts: [],
    proxy: { driver: "builtin", listen: "127.0.0.1:8080" },
    apps,
  };
}

function container(app: string, slot: number, host: string, extra: Partial<ObservedContainer> = {}): ObservedContainer {
  return {
    id: `${app}-${slot}-${host}`,
    name: `${app}-production-${slot}`,
    host,
    app,
    env: "production",
    slot,
    specHash: `${app}-spec`,
    commit: "c".repeat(40),
    image: `${app}:1`,
    state: "running",
    health: "none",
    hostPort: 30000 + slot,
    createdAt: 0,
    ...extra,
  };
}

function input(apps: AppSpec[], containers: ObservedContainer[], unreachable: string[] = []): StatusInput {
  const hosts = ["alpha", "beta"].map((name) => ({
    name,
    reachable: !unreachable.includes(name),
    containers: containers.filter((c) => c.host === name),
    images: [],
  }));
  return { instance: "default", now: 0, desired: desired(apps), observed: { hosts } };
}

describe("buildStatus: an app's health", () => {
  const cases: Array<[string, StatusInput, string, string]> = [
    [
      "every replica runs",
      input([spec("web", 2)], [container("web", 0, "alpha"), container("web", 1, "beta")]),
      "healthy",
      "2/2",
    ],
    ["one replica is missing", input([spec("web", 2)], [container("web", 0, "alpha")]), "degraded", "1/2"],
    [
      "a replica is unhealthy",
      input([spec("web", 1)], [container("web", 0, "alpha", { health: "unhealthy" })]),
      "degraded",
      "1/1",
    ],
    ["nothing runs", input([spec("web", 2)], [container("web", 0, "alpha", { state: "exited" })]), "down", "0/2"],
    ["a host it may run on is unreachable", input([spec("web", 1)], [], ["beta"]), "unknown", "0/1"],
    [
      "an unreachable host it may not run on",
      input([spec("web", 1, { hosts: ["alpha"] })], [container("web", 0, "alpha")], ["beta"]),
      "healthy",
      "1/1",
    ],
    [
      "a retired container still running is no replica",
      input([spec("web", 1)], [container("web", 0, "alpha", { retiredAt: 5, name: "web-production-0.retired-5" })]),
      "down",
      "0/1",
    ],
    ["scaled to zero", input([spec("web", 0)], []), "healthy", "0/0"],
  ];
  it.each(cases)("%s", (_name, given, health, replicas) => {
    const app = buildStatus(given).environments[0]?.apps[0];
    expect(app?.health).toBe(health);
    expect(`${app?.runningReplicas}/${app?.desiredReplicas}`).toBe(replicas);
  });
});

describe("buildStatus", () => {
  it("lists apps the repo no longer declares, without a desired count, and marks old specs", () => {
    const status = buildStatus(
      input([spec("web", 1)], [container("web", 0, "alpha", { specHash: "old" }), container("gone", 0, "beta")]),
    );
    const apps = status.environments[0]?.apps ?? [];
    expect(apps.map((a) => [a.app, a.desiredReplicas, a.slots[0]?.current])).toEqual([
      ["gone", undefined, false],
      ["web", 1, false],
    ]);
  });

  it("says why the history is missing, and shows the live part", () => {
    const status = buildStatus({
      ...input([spec("web", 1)], [container("web", 0, "alpha")]),
      historyError: "no Redis",
    });
    expect(status.history).toEqual({ available: false, reason: "no Redis" });
    expect(status.environments[0]?.apps[0]?.runningReplicas).toBe(1);
    expect(status.previews).toEqual([]);
  });

  it("lists live previews by number with their URLs and expiry", () => {
    const preview = (n: number) => ({
      env: `pr-${n}`,
      apps: ["web"],
      urls: [`https://web-pr-${n}.preview.example.com`],
      expiresAt: 1_000 + n,
    });
    const status = buildStatus({ ...input([spec("web", 1)], []), previews: [preview(10), preview(9)] });
    expect(status.previews.map((p) => [p.env, p.urls[0], p.expiresAt])).toEqual([
      ["pr-9", "https://web-pr-9.preview.example.com", 1_009],
      ["pr-10", "https://web-pr-10.preview.example.com", 1_010],
    ]);
  });

  it("takes the last outcome, hold and config errors from the history", () => {
    const status = buildStatus({
      ...input([spec("web", 1)], [container("web", 0, "alpha")]),
      history: {
        current: [],
        recent: [],
        lastOutcomes: [
          { app: "web", env: "production", sha: "d".repeat(40), status: "rolledBack", finishedAt: 1, durationMs: 5 },
        ],
        lastSyncs: [
          {
            env: "production",
            sha: "e".repeat(40),
            status: "failed",
            finishedAt: 2,
            error: {
              code: "DOCKHAND_E_CONFIG",
              message: "invalid",
              issues: [{ file: "apps/web.yaml", line: 3, column: 11, path: "replicas", message: "bad" }],
            },
          },
        ],
      },
      holds: [{ app: "web", env: "production", at: "f".repeat(40) }],
    });
    const web = status.environments[0]?.apps[0];
    expect(web?.lastOutcome?.status).toBe("rolledBack");
    expect(web?.hold?.at).toBe("f".repeat(40));
    expect(status.configErrors).toMatchObject([{ env: "production", issues: [{ path: "replicas" }] }]);
    expect(status.environments[0]?.lastSync?.status).toBe("failed");
  });
});

describe("syncLagSeconds", () => {
  const seen = { env: "production", sha: "new", seenAt: 10_000 };
  const cases: Array<[string, Parameters<typeof syncLagSeconds>, number]> = [
    ["nothing seen", [undefined, undefined, 50_000], 0],
    ["seen and applied", [seen, { sha: "new", finishedAt: 12_000 }, 50_000], 0],
    ["a sync finished after it was seen", [seen, { sha: "newer", finishedAt: 11_000 }, 50_000], 0],
    ["waiting since it was seen", [seen, { sha: "old", finishedAt: 9_000 }, 50_000], 40],
    ["never synced", [seen, undefined, 25_000], 15],
  ];
  it.each(cases)("%s", (_name, args, expected) => {
    expect(syncLagSeconds(...args)).toBe(expected);
  });
});
