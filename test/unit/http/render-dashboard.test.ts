import { describe, expect, it } from "vitest";
import { readCookie } from "../../../src/http/admin-auth.js";
import { escapeHtml, html } from "../../../src/http/html.js";
import type { StatusSnapshot } from "../../../src/http/index.js";
import { renderDashboardBody, renderDashboardPage } from "../../../src/http/render-dashboard.js";
import { frame } from "../../../src/http/sse-hub.js";

const EVIL = `<img src=x onerror="alert(1)">`;

function snapshot(overrides: Partial<StatusSnapshot> = {}): StatusSnapshot {
  return {
    generatedAt: 0,
    instance: "default",
    history: { available: true },
    hosts: [{ name: "alpha", reachable: true, containers: 1, running: 1 }],
    environments: [
      {
        env: "production",
        apps: [
          {
            app: "web",
            env: "production",
            desiredReplicas: 1,
            runningReplicas: 1,
            stoppedContainers: 0,
            hosts: ["alpha"],
            hostnames: ["web.localhost"],
            health: "healthy",
            commits: ["a".repeat(40)],
            slots: [
              {
                slot: 0,
                host: "alpha",
                container: "web-production-0-abc",
                id: "id",
                state: "running",
                health: "healthy",
                commit: "a".repeat(40),
                specHash: "abc",
                current: true,
              },
            ],
          },
        ],
      },
    ],
    deploys: { current: [], recent: [] },
    holds: [],
    configErrors: [],
    previews: [],
    ...overrides,
  };
}

describe("html", () => {
  it("escapes every interpolated value, and nests markup made by html", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    expect(html`<p>${EVIL}${html`<b>${"&"}</b>`}${[1, "<", null, undefined, false]}</p>`.text).toBe(
      "<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;<b>&amp;</b>1&lt;</p>",
    );
  });
});

describe("the dashboard", () => {
  it("shows each app's slot on its host with health and commit", () => {
    const body = renderDashboardBody(snapshot()).text;
    expect(body).toContain('data-app="web"');
    expect(body).toContain('data-container="web-production-0-abc"');
    expect(body).toContain(`<code class="commit">${"a".repeat(12)}</code>`);
    expect(body).toMatch(/<section id="previews"><h2>Previews<\/h2><p class="empty">none<\/p>/);
  });

  it("never lets a failing container's log or an error message inject markup", () => {
    const status = snapshot({
      deploys: {
        current: [],
        recent: [
          {
            id: "r1",
            env: "production",
            sha: "b".repeat(40),
            actor: { trigger: "push", delivery: EVIL },
            startedAt: 0,
            finishedAt: 1000,
            durationMs: 1000,
            status: "failed",
            outcome: {
              sha: "b".repeat(40),
              status: "failed",
              apps: [
                {
                  app: "web",
                  env: "production",
                  status: "rolledBack",
                  durationMs: 900,
                  failedStep: "waitHealthy",
                  error: { code: "DOCKHAND_E_HEALTH", message: EVIL, logsTail: `line 1\n${EVIL}\n` },
                },
              ],
            },
          },
        ],
      },
    });
    const page = renderDashboardPage(status, "/events").text;
    expect(page).not.toContain("<img");
    expect(page).toContain("waitHealthy failed: &lt;img");
    expect(page).toContain('<pre class="tail">line 1\n&lt;img');
  });

  it("sends a render as one SSE event, a data line per line", () => {
    expect(frame("<p>a</p>\n<p>b</p>", 7)).toBe("event: render\nid: 7\ndata: <p>a</p>\ndata: <p>b</p>\n\n");
  });
});

describe("readCookie", () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    [undefined, undefined],
    ["a=1; dockhand_session=abc; b=2", "abc"],
    ["dockhand_session=%E0%A4%A", "%E0%A4%A"],
    ["xdockhand_session=abc", undefined],
  ];
  it.each(cases)("%s", (header, expected) => {
    expect(readCookie(header, "dockhand_session")).toBe(expected);
  });
});
