/** Workers and apps on a fixed host port in `dockhand status` and on the dashboard: what they serve is no URL. */
import { describe, expect, it } from "vitest";
import { buildStatus } from "../../../src/http/index.js";
import { renderDashboardBody } from "../../../src/http/render-dashboard.js";
import type { AppSpec, DesiredState, ObservedContainer } from "../../../src/model/index.js";
import { renderStatusText } from "../../../src/runtime/render-status-text.js";
import { app, container, host } from "../planner/fixtures.js";

const hosts = [host("alpha", { address: "172.30.0.1" }), host("beta", { address: "172.31.0.1" })];
const db = app("db", { port: 6379, hostPort: 6379, placement: { hosts: ["beta"] } });
const worker = app("job", { port: undefined });
const web = app("web", { hostnames: ["www.example.com"] });

function status(apps: AppSpec[], containers: ObservedContainer[]) {
  const desired: DesiredState = {
    source: { repo: "/deploy", sha: "b".repeat(40) },
    hosts,
    proxy: { driver: "builtin", listen: "127.0.0.1:8080" },
    apps,
  };
  const observed = {
    hosts: hosts.map((h) => ({
      name: h.name,
      reachable: true,
      containers: containers.filter((c) => c.host === h.name),
      images: [],
    })),
  };
  return buildStatus({ instance: "default", now: 0, desired, observed });
}

const snapshot = status(
  [db, worker, web],
  [container(db, 0, "beta", { hostPort: 6379 }), container(worker, 0, "alpha", { hostPort: undefined })],
);
const appStatus = (name: string) => snapshot.environments[0]?.apps.find((a) => a.app === name);

describe("what an app serves, in the status", () => {
  it("gives an app on a fixed host port its endpoints, a worker none, a web app its hostnames", () => {
    expect(appStatus("db")).toMatchObject({ role: "fixed", endpoints: ["172.31.0.1:6379"], hostnames: [] });
    expect(appStatus("job")).toMatchObject({ role: "worker", hostnames: [] });
    expect(appStatus("job")).not.toHaveProperty("endpoints");
    expect(appStatus("web")).toMatchObject({ role: "web", hostnames: ["www.example.com"] });
  });

  it("says so under the app's row in dockhand status", () => {
    const lines = renderStatusText(snapshot, { color: false }).split("\n");
    expect(lines[lines.findIndex((l) => l.startsWith("  db ")) + 1]).toBe("    listens on 172.31.0.1:6379 (hostPort)");
    expect(lines[lines.findIndex((l) => l.startsWith("  job ")) + 1]).toBe("    worker: no port, not routed");
    expect(lines[lines.findIndex((l) => l.startsWith("  web ")) + 1]?.startsWith("  ")).toBe(false);
  });

  it("shows the endpoint, or that it is a worker, on the dashboard instead of a hostname", () => {
    const body = renderDashboardBody(snapshot).text;
    expect(body).toContain('<div class="muted" data-role="fixed">listens on 172.31.0.1:6379</div>');
    expect(body).toContain('<div class="muted" data-role="worker">worker · no port</div>');
    expect(body).toContain('<div class="muted">www.example.com</div>');
  });
});
