import { describe, expect, it } from "vitest";
import { appRows, hookHost, plan, renderPlanText } from "../../../src/planner/index.js";
import { app, bumped, desired, host, observe, spread } from "./fixtures.js";

const HOOK = { beforeDeploy: ["./manage", "migrate"], timeoutMs: 60_000 };
const hosts = [host("alpha"), host("beta")];

function changeFor(specs: { before?: ReturnType<typeof app>; after: ReturnType<typeof app> }) {
  const running = specs.before ? spread(specs.before, ["beta", "alpha"]) : [];
  const made = plan(desired(hosts, [specs.after]), observe(hosts, running));
  const change = made.changes[0];
  if (!change) throw new Error("no change planned");
  return { made, change };
}

describe("the beforeDeploy hook in rendered plans", () => {
  it("shows where and what runs before an app with a hook rolls", () => {
    const before = app("web", { replicas: 2, hooks: HOOK });
    const { made, change } = changeFor({ before, after: bumped(before, 2, { hooks: HOOK }) });
    const rows = appRows(change).filter((r) => r.action === "hook");
    expect(rows).toEqual([
      {
        symbol: "→",
        action: "hook",
        app: "web",
        env: "production",
        slot: "",
        host: hookHost(change),
        detail: "beforeDeploy: ./manage migrate (one-off container of the new image, before any slot rolls)",
      },
    ]);
    expect(hookHost(change)).toMatch(/^(alpha|beta)$/);
    expect(renderPlanText(made, { color: false })).toContain("beforeDeploy: ./manage migrate");
  });

  it.each([
    ["an app without a hook", app("web", { replicas: 2 }), (a: ReturnType<typeof app>) => bumped(a, 2)],
    ["an unchanged app with a hook", app("web", { replicas: 2, hooks: HOOK }), (a: ReturnType<typeof app>) => a],
  ])("has no hook row for %s", (_name, before, after) => {
    const { change } = changeFor({ before, after: after(before) });
    expect(appRows(change).filter((r) => r.action === "hook")).toEqual([]);
  });
});

describe("a build from the app's own repository in rendered plans", () => {
  it("names the repository and the commit built", () => {
    const sha = "89abcdef0123456789abcdef0123456789abcdef";
    const built = app("web", {
      image: "dockhand/web:5555",
      build: {
        context: "app",
        dockerfile: "Dockerfile",
        contextHash: "5".repeat(40),
        git: { url: "https://github.com/acme/web.git", branch: "main", sha },
      },
    });
    const { change } = changeFor({ after: built });
    const [row] = appRows(change).filter((r) => r.action === "image");
    expect(row?.detail).toMatch(
      /^build dockhand\/web:5555 on (alpha|beta).* \(from https:\/\/github\.com\/acme\/web\.git at 89abcdef0123\)$/,
    );
  });
});
