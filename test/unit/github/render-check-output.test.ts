import { describe, expect, it } from "vitest";
import { renderCheckOutput } from "../../../src/github/index.js";
import { code, fenced, fitParts, formatDuration, truncate } from "../../../src/github/markdown.js";
import type { DeployOutcome, PlannedSync } from "../../../src/model/index.js";
import { plan, renderPlanMarkdown } from "../../../src/planner/index.js";
import { app, container, desired, host, observe } from "../planner/fixtures.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const hosts = [host("alpha"), host("beta")];

function planned(apps = [app("web", { replicas: 2, hostnames: ["www.example.com"] })], running = []): PlannedSync {
  const want = desired(hosts, apps);
  const made = plan(want, observe(hosts, running));
  return { plan: made, desired: want, markdown: renderPlanMarkdown(made) };
}

describe("renderCheckOutput titles", () => {
  const outcome = (o: Partial<DeployOutcome>): DeployOutcome => ({ sha: SHA, status: "succeeded", apps: [], ...o });
  it.each([
    ["started", { phase: "started" as const }, "Planning"],
    ["planned with changes", { phase: "planned" as const, planned: planned() }, "Rolling 1 app"],
    ["planned without", { phase: "planned" as const, planned: planned([]) }, "No changes"],
    [
      "deployed",
      {
        phase: "finished" as const,
        outcome: outcome({ apps: [{ app: "web", env: "production", status: "succeeded", durationMs: 1 }] }),
      },
      "Deployed 1 app",
    ],
    ["a no-op", { phase: "finished" as const, outcome: outcome({ status: "noop" }) }, "No changes"],
    [
      "declined",
      { phase: "finished" as const, outcome: outcome({ status: "noop", declined: true }) },
      "Plan not approved; nothing applied",
    ],
    [
      "two failed apps",
      {
        phase: "finished" as const,
        outcome: outcome({
          status: "failed",
          apps: [
            { app: "api", env: "production", status: "failed", durationMs: 1, failedStep: "start" },
            { app: "web", env: "production", status: "rolledBack", durationMs: 1, failedStep: "waitHealthy" },
          ],
        }),
      },
      "api, web failed",
    ],
    [
      "a sync that threw",
      {
        phase: "finished" as const,
        outcome: outcome({ status: "failed", error: { code: "DOCKHAND_E_PLAN", message: "x" } }),
      },
      "Sync failed",
    ],
  ])("%s", (_name, input, title) => {
    expect(renderCheckOutput({ env: "production", sha: SHA, ...input }).title).toBe(title);
  });
});

describe("renderCheckOutput summary", () => {
  it("lists unchanged apps after changed ones, with hosts, image and links", () => {
    const web = app("web", { replicas: 2, hostnames: ["www.example.com"] });
    const api = app("api", { hostnames: [] });
    const p = planned([web, api], [container(api, 0, "beta")] as never);
    const out = renderCheckOutput({ env: "production", sha: SHA, phase: "planned", planned: p, scheme: "http" });
    expect(out.summary.split("\n").filter((l) => l.startsWith("| "))).toEqual([
      "| app | change | result | replicas | hosts | image | duration | hostnames |",
      "| web | create | :hourglass: pending | 2 | alpha, beta | `web:1` |  | [www.example.com](http://www.example.com) |",
      "| api | unchanged | unchanged | 1 | beta | `api:1` |  |  |",
    ]);
  });

  it("escapes names that would break the table", () => {
    const p = planned([app("web", { hostnames: ["a|b.example.com"] })]);
    const out = renderCheckOutput({ env: "production", sha: SHA, phase: "planned", planned: p });
    expect(out.summary).toContain("[a\\|b.example.com](https://a%7Cb.example.com)");
  });
});

describe("markdown helpers", () => {
  it.each([
    [950, "950 ms"],
    [12_345, "12.3 s"],
    [65_000, "1 m 05 s"],
  ])("formatDuration(%i) is %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("fences text that holds backticks with a longer fence", () => {
    expect(fenced("a ``` b")).toBe("````text\na ``` b\n````");
    expect(code("x`y")).toBe("`` x`y ``");
  });

  it("fits parts under a limit and counts the rest", () => {
    const parts = Array.from({ length: 10 }, (_, i) => `row ${i}`);
    const fitted = fitParts(parts, 40, (n) => `+${n} more`);
    expect(fitted.length).toBeLessThanOrEqual(40);
    expect(fitted).toBe("row 0\nrow 1\nrow 2\nrow 3\nrow 4\n+5 more");
    expect(fitParts(["a", "b"], 40, (n) => `+${n}`)).toBe("a\nb");
  });

  it("truncates with a note, within the limit", () => {
    const cut = truncate("x".repeat(100), 60);
    expect(cut.length).toBe(60);
    expect(cut.endsWith("…(cut to fit GitHub's limit)\n")).toBe(true);
  });
});
