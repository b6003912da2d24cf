import { describe, expect, it } from "vitest";
import { plan, renderPlanText } from "../../../src/planner/index.js";
import { app, container, desired, host, observe } from "./fixtures.js";
import { samplePlan } from "./sample-plan.js";

const ESC = "\x1b[";

describe("renderPlanText", () => {
  it("one aligned line per change with app, env, slot, host and why; warnings; a summary line", () => {
    expect(renderPlanText(samplePlan(), { color: false })).toBe(
      [
        "Plan for /srv/deploy at 0123456",
        "",
        "  ~ replace    api  production  slot 1  beta           container exited",
        "  + create     api  production  slot 2  beta           no container on a reachable host",
        "  ! error      big  production                         not enough capacity: wanted 9 new containers, free per host: alpha 3, beta 3",
        "  - remove     old  production  slot 0  beta           app not in the deploy repo",
        "  → hostnames  old  production                         old.example.com → (none)",
        "  ~ replace    web  production  slot 0  alpha          image web:1 → web:2",
        "  ~ replace    web  production  slot 1  beta           image web:1 → web:2",
        "  ~ replace    web  production  slot 2  gamma → alpha  image web:1 → web:2, host gamma removed from dockhand.yaml",
        "  → hostnames  web  production                         www.example.com → www.example.com, example.com",
        "",
        "Warnings:",
        "  ! host delta unreachable (connect ECONNREFUSED): its containers are presumed alive and left alone; slots without a reachable container are placed on other hosts while it is down",
        "",
        "Plan: 1 to create, 4 to replace, 1 to remove, 2 hostname changes, 1 app unchanged. 1 app cannot be planned.",
        "",
      ].join("\n"),
    );
  });

  const colours = [
    { symbol: "~ replace", code: "33" },
    { symbol: "+ create", code: "32" },
    { symbol: "- remove", code: "31" },
    { symbol: "→ hostnames", code: "36" },
    { symbol: "! error", code: "1;31" },
  ];
  for (const { symbol, code } of colours) {
    it(`colours "${symbol}" with ANSI ${code} only when asked`, () => {
      expect(renderPlanText(samplePlan(), { color: true })).toContain(`${ESC}${code}m${symbol}`);
      expect(renderPlanText(samplePlan(), { color: false })).not.toContain(ESC);
    });
  }

  it("after editing one app of the deploy repo, only that app shows", () => {
    const hosts = [host("alpha"), host("beta")];
    const web = app("web", { replicas: 3, hostnames: ["web.localhost"] });
    const api = app("api", { replicas: 2, hostnames: ["api.localhost"] });
    const running = [0, 1, 2].map((s) => container(web, s, s % 2 ? "beta" : "alpha"));
    running.push(container(api, 0, "alpha"), container(api, 1, "beta"));
    const edited = { ...web, specHash: "web-v1-greeting" };
    const text = renderPlanText(plan(desired(hosts, [api, edited]), observe(hosts, running)), { color: false });
    expect(text.split("\n").filter((l) => l.startsWith("  "))).toEqual([
      "  ~ replace  web  production  slot 0  alpha  spec changed",
      "  ~ replace  web  production  slot 1  beta   spec changed",
      "  ~ replace  web  production  slot 2  alpha  spec changed",
    ]);
    expect(text).toContain("Plan: 0 to create, 3 to replace, 0 to remove, 1 app unchanged.");
  });

  it("says so when nothing changes", () => {
    const hosts = [host("alpha")];
    const web = app("web");
    const text = renderPlanText(plan(desired(hosts, [web]), observe(hosts, [container(web, 0, "alpha")])), {
      color: false,
    });
    expect(text).toBe("Plan for /srv/deploy at 0123456\n\nNo changes: 1 app unchanged.\n");
  });

  it("shows a worktree source as is", () => {
    const p = { source: { repo: ".", sha: "worktree" }, changes: [], warnings: [] };
    expect(renderPlanText(p, { color: false })).toBe("Plan for . at worktree\n\nNo changes: 0 apps unchanged.\n");
  });
});
