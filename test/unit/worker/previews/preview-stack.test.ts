/** Previews of a stack: no preview takes production's fixed host port, and a preview's references stay in its own environment. */
import { describe, expect, it } from "vitest";
import { parseDeployRepo } from "../../../../src/config/index.js";
import type { PullRequestInfo } from "../../../../src/model/index.js";
import { plan } from "../../../../src/planner/index.js";
import { confinePreview } from "../../../../src/worker/previews/preview-desired.js";
import { DOCKHAND_YAML, snapshotOf } from "../../config/deploy-repo-fixture.js";

const PREVIEWS = "previews: { domain: preview.example.com }\n";
const DB = "name: db\nimage: redis:7\nport: 6379\nhostPort: 6379\npreviews: { enabled: true }\n";
const WEB = `name: web\nimage: web:1\nport: 8080\nenv: { KV_HOST: "\${apps.db.host}" }\npreviews: { enabled: true }\n`;
const pr = {
  number: 7,
  action: "opened",
  repository: "acme/deploy",
  headSha: "a".repeat(40),
  headRef: "f",
  baseRef: "main",
  fork: false,
  merged: false,
  labels: [],
} as PullRequestInfo;

const tracked = parseDeployRepo(
  snapshotOf({ "dockhand.yaml": `${DOCKHAND_YAML}${PREVIEWS}`, "apps/db.yaml": DB, "apps/web.yaml": WEB }),
);
const preview = confinePreview(tracked, tracked, pr);
const appOf = (name: string) => preview.apps.find((a) => a.name === name);

describe("a preview of a stack", () => {
  it("publishes the previewed database on a free port, never on production's hostPort", () => {
    expect(appOf("db")).toMatchObject({ env: "pr-7", port: 6379 });
    expect(appOf("db")).not.toHaveProperty("hostPort");
  });

  it("keeps a dependent's references, which then cannot resolve in the preview: an error on it, not a silent env", () => {
    expect(appOf("web")?.envRefs).toEqual({ KV_HOST: [{ app: "db", field: "host" }] });
    const observed = {
      hosts: tracked.hosts.map((h) => ({ name: h.name, reachable: true, containers: [], images: [] })),
    };
    const change = plan(preview, observed, { envs: ["pr-7"] }).changes.find((c) => c.app === "web");
    expect(change?.error).toBe(`env KV_HOST: \${apps.db.host}: app db has no hostPort in environment pr-7`);
  });
});
