import { describe, expect, it } from "vitest";
import { renderCheckOutput } from "../../../src/github/index.js";
import { code, fenced, fitParts, formatDuration, truncate } from "../../../src/github/markdown.js";
import { type DeployOutcome, type PlannedSync, WORD_JOINER } from "../../../src/model/index.js";
import { plan, renderPlanMarkdown } from "../../../src/planner/index.js";
import { linkableOutsideCode } from "../../support/markdown-links.js";
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

/** What a PR head or an app's output can put in front of GitHub: mentions, references, links, HTML, markup. */
const HOSTILE =
  "@someone @acme/admins #1 acme/web#2 GH-3 https://evil.example www.evil.example ops@evil.example &#64;x <img src=x> ```\n# heading\r| a | b |";

describe("input text in check output links nothing outside code", () => {
  const failed = (error: NonNullable<DeployOutcome["error"]>): DeployOutcome => ({
    sha: SHA,
    status: "failed",
    apps: [{ app: "web", env: "production", status: "rolledBack", durationMs: 5, failedStep: "start", error }],
  });
  it.each([
    [
      "a sync error's message",
      { sha: SHA, status: "failed", apps: [], error: { code: "DOCKHAND_E_GIT", message: HOSTILE } },
    ],
    [
      "an app's error and log tails",
      failed({ code: "DOCKHAND_E_HEALTH", message: HOSTILE, logsTail: HOSTILE, healthLog: HOSTILE }),
    ],
    [
      "config issues",
      {
        sha: SHA,
        status: "failed",
        apps: [],
        error: {
          code: "DOCKHAND_E_CONFIG",
          message: HOSTILE,
          issues: [{ file: "apps/web.yaml", line: 2, column: 1, path: "replicas", message: HOSTILE }],
        },
      },
    ],
  ] as Array<[string, DeployOutcome]>)("%s", (_what, outcome) => {
    const out = renderCheckOutput({ env: "production", sha: SHA, phase: "finished", outcome });
    expect(linkableOutsideCode(out.summary)).toEqual([]);
    // Annotations are plain text (markup shows as is), so only links and mentions count there.
    const annotated = out.annotations.flatMap((a) => linkableOutsideCode(`${a.title} ${a.message}`));
    expect(annotated.filter((found) => !found.startsWith("HTML"))).toEqual([]);
    // Still there to read, in code or with invisible word joiners.
    expect(out.summary.replaceAll(WORD_JOINER, "")).toContain("@someone");
  });

  it("plan warnings and reasons in the plan's markdown (the check's text)", () => {
    const p = planned([app("web", { image: `web:1|${HOSTILE}` })]);
    p.plan.warnings.push(HOSTILE);
    p.markdown = renderPlanMarkdown(p.plan);
    const out = renderCheckOutput({ env: "production", sha: SHA, phase: "planned", planned: p });
    expect(linkableOutsideCode(out.text ?? "")).toEqual([]);
    expect(linkableOutsideCode(out.summary)).toEqual([]);
  });

  it("keeps a table row whole when the image holds a pipe inside its code span", () => {
    const p = planned([app("web", { image: "web:1|x" })]);
    const out = renderCheckOutput({ env: "production", sha: SHA, phase: "planned", planned: p });
    expect(out.summary).toContain("| `web:1\\|x` |");
  });
});

describe("code spans and fences", () => {
  it("ends no line inside a code span: CR alone is a line ending too", () => {
    expect(code("a\rb\r\nc\nd")).toBe("`a b c d`");
  });

  it("cannot be closed by the text they hold", () => {
    const text = "````\n~~~\n```text\n";
    const block = fenced(text);
    expect(block.startsWith("`````text\n")).toBe(true);
    expect(linkableOutsideCode(fenced(`${text}@someone`))).toEqual([]);
  });
});
