import { describe, expect, it } from "vitest";
import { buildEnvironmentStatus } from "../../../src/git/index.js";
import { parseEnvironmentStatus, renderEnvironmentStatus, sameApps } from "../../../src/git/status-record.js";
import type { DeployOutcome } from "../../../src/model/index.js";
import { app, bumped, container, desired, host, observe } from "../planner/fixtures.js";

const hosts = [host("alpha"), host("beta")];
const web = app("web", { replicas: 2 });
const SHA = "c".repeat(40);
const outcome = (status: "succeeded" | "noop"): DeployOutcome => ({
  sha: SHA,
  status,
  apps: [{ app: "web", env: "production", status, durationMs: 5 }],
});

describe("buildEnvironmentStatus", () => {
  it("lists each slot of the env (not retired ones, not other envs), in slot order", () => {
    const running = [
      container(web, 1, "beta"),
      container(web, 0, "alpha"),
      container(web, 0, "alpha", { name: "old.retired-1", retiredAt: 1, state: "exited" }),
      container({ ...web, env: "pr-3" }, 0, "beta"),
    ];
    const status = buildEnvironmentStatus({
      env: "production",
      outcome: outcome("succeeded"),
      desired: desired(hosts, [web]),
      observed: observe(hosts, running),
      finishedAt: 0,
    });
    expect(status.apps.web?.slots.map((s) => `${s.slot} ${s.host}`)).toEqual(["0 alpha", "1 beta"]);
    expect(status.apps.web).toMatchObject({
      spec: "web-v1",
      image: "web:1",
      replicas: 2,
      outcome: "succeeded",
      at: "1970-01-01T00:00:00.000Z",
    });
  });

  it("keeps an unchanged app's last outcome and time, so nothing differs", () => {
    const observed = observe(hosts, [container(web, 0, "alpha"), container(web, 1, "beta")]);
    const first = buildEnvironmentStatus({
      env: "production",
      outcome: outcome("succeeded"),
      desired: desired(hosts, [web]),
      observed,
      finishedAt: 0,
    });
    const previous = parseEnvironmentStatus(renderEnvironmentStatus(first));
    const again = buildEnvironmentStatus({
      env: "production",
      outcome: outcome("noop"),
      desired: desired(hosts, [web]),
      observed,
      finishedAt: 99_000,
      ...(previous ? { previous } : {}),
    });
    expect(sameApps(previous, again)).toBe(true);
    expect(again.apps.web?.at).toBe("1970-01-01T00:00:00.000Z");
  });

  it("shows the serving spec while a new one is wanted, and drops apps that are gone", () => {
    const v2 = bumped(web);
    const observed = observe(hosts, [container(web, 0, "alpha"), container(app("old"), 0, "beta")]);
    const status = buildEnvironmentStatus({
      env: "production",
      outcome: outcome("succeeded"),
      desired: desired(hosts, [v2]),
      observed,
      finishedAt: 0,
    });
    expect(status.apps.web).toMatchObject({ spec: "web-v1", image: "web:2" });
    expect(Object.keys(status.apps)).toEqual(["old", "web"]);
    expect(parseEnvironmentStatus("not json")).toBeUndefined();
  });
});

describe("an app built from its own repository", () => {
  const at = (sha: string, image: string) =>
    app("site", {
      image,
      build: {
        context: ".",
        dockerfile: "Dockerfile",
        contextHash: "d".repeat(40),
        git: { url: "https://github.com/acme/site.git", branch: "main", sha },
      },
    });
  const record = (spec: ReturnType<typeof at>, previous?: ReturnType<typeof buildEnvironmentStatus>) =>
    buildEnvironmentStatus({
      env: "production",
      outcome: { sha: SHA, status: "succeeded", apps: [] },
      desired: desired(hosts, [spec]),
      observed: observe(hosts, [container(spec, 0, "alpha")]),
      finishedAt: 0,
      ...(previous ? { previous } : {}),
    });

  it("records the source commit its running image was built from", () => {
    const first = record(at("1".repeat(40), "dockhand/site:aaa"));
    expect(first.apps.site?.source).toEqual({
      repo: "https://github.com/acme/site.git",
      branch: "main",
      commit: "1".repeat(40),
    });
    // The branch moved on without touching the context: same image, same record.
    const moved = record(at("2".repeat(40), "dockhand/site:aaa"), first);
    expect(sameApps(first, moved)).toBe(true);
    // A commit that changed the context built a new image: its commit is recorded.
    const changed = record(at("3".repeat(40), "dockhand/site:bbb"), moved);
    expect(changed.apps.site?.source?.commit).toBe("3".repeat(40));
  });
});
