import { describe, expect, it } from "vitest";
import { parseDeployRepo } from "../../../src/config/index.js";
import type { PreviewRecord, PullRequestInfo } from "../../../src/model/index.js";
import { decidePreview, PREVIEW_LABEL, previewEnv, shapePreview } from "../../../src/worker/preview-desired.js";
import { DOCKHAND_YAML, snapshotOf, WEB_YAML } from "../config/deploy-repo-fixture.js";

const PREVIEWS = "previews: { domain: preview.example.com, ttl: 2h, maxActive: 2 }\n";
const API_YAML =
  "name: api\nimage: busybox:stable\nport: 9090\nreplicas: 3\nhooks: { beforeDeploy: [sh, -c, migrate] }\npreviews: { enabled: true }\n";

function desiredWith(dockhand: string, web = `${WEB_YAML}replicas: 4\n`) {
  return parseDeployRepo(snapshotOf({ "dockhand.yaml": dockhand, "apps/web.yaml": web, "apps/api.yaml": API_YAML }));
}

const pr: PullRequestInfo = {
  number: 42,
  action: "opened",
  repository: "acme/deploy",
  headSha: "a".repeat(40),
  headRef: "f",
  baseRef: "main",
  fork: false,
  merged: false,
  labels: [],
};

const live = (n: number): PreviewRecord => ({
  env: `pr-${n}`,
  number: n,
  headSha: "b".repeat(40),
  lastPushAt: 0,
  expiresAt: 1,
  apps: [],
  pullRequest: { ...pr, number: n },
});

describe("shapePreview", () => {
  it("keeps the apps with previews enabled: one replica, its preview hostname, no deploy hook", () => {
    const desired = desiredWith(DOCKHAND_YAML + PREVIEWS);
    const shaped = shapePreview(desired, pr);
    expect(shaped.apps.map((a) => [a.name, a.env, a.replicas, a.hostnames, a.hooks])).toEqual([
      ["api", "pr-42", 1, ["api-pr-42.preview.example.com"], undefined],
    ]);
    const production = desired.apps.find((a) => a.name === "api");
    expect(shaped.apps[0]?.specHash).toBe(production?.specHash);
  });

  it("has no apps without a previews section", () => {
    expect(shapePreview(desiredWith(DOCKHAND_YAML), pr).apps).toEqual([]);
  });
});

describe("a pull request on an app's source repository", () => {
  const SOURCE = "https://github.com/acme/Web-App.git";
  const sources = {
    [`${SOURCE}#`]: { url: SOURCE, branch: "main", sha: "c".repeat(40), trees: { "": "d".repeat(40) } },
  };
  const web = `name: web\nbuild: { git: "${SOURCE}", context: . }\nport: 8080\npreviews: { enabled: true }\n`;
  const desired = parseDeployRepo({
    ...snapshotOf({ "dockhand.yaml": DOCKHAND_YAML + PREVIEWS, "apps/web.yaml": web, "apps/api.yaml": API_YAML }),
    sources,
  });
  const sourcePr: PullRequestInfo = { ...pr, repository: "acme/Web-App", source: { urls: [SOURCE] } };

  it("previews only the apps that build from it, in an environment named after the repository", () => {
    expect(previewEnv(sourcePr)).toBe("web-app-pr-42");
    const shaped = shapePreview(desired, sourcePr);
    expect(shaped.apps.map((a) => [a.name, a.env, a.hostnames])).toEqual([
      ["web", "web-app-pr-42", ["web-web-app-pr-42.preview.example.com"]],
    ]);
    expect(shapePreview(desired, pr).apps.map((a) => a.name)).toEqual(["api", "web"]);
  });

  it("has no preview when no app building from it has previews enabled", () => {
    const other = { ...sourcePr, repository: "acme/other", source: { urls: ["https://github.com/acme/other.git"] } };
    expect(decidePreview(other, desired, [])).toEqual({
      kind: "none",
      reason: "no app building from acme/other has previews enabled",
    });
  });
});

describe("decidePreview", () => {
  const desired = desiredWith(DOCKHAND_YAML + PREVIEWS);
  it.each([
    ["a PR of the repo itself", pr, [], "deploy"],
    ["a fork", { ...pr, fork: true }, [], "refused"],
    ["a fork a maintainer labelled", { ...pr, fork: true, labels: [PREVIEW_LABEL] }, [], "deploy"],
    ["a PR over maxActive", pr, [live(1), live(2)], "waiting"],
    ["a PR whose own preview counts toward the cap", pr, [live(1), live(42)], "deploy"],
  ])("%s: %s", (_name, request, active, kind) => {
    expect(decidePreview(request, desired, active).kind).toBe(kind);
  });

  it("lets forks in when previews.allowForks", () => {
    const open = desiredWith(DOCKHAND_YAML + PREVIEWS.replace("maxActive: 2", "maxActive: 2, allowForks: true"));
    expect(decidePreview({ ...pr, fork: true }, open, []).kind).toBe("deploy");
  });

  it("says why there is none", () => {
    expect(decidePreview(pr, desiredWith(DOCKHAND_YAML), [])).toEqual({
      kind: "none",
      reason: "dockhand.yaml has no previews section",
    });
    const none = parseDeployRepo(snapshotOf({ "dockhand.yaml": DOCKHAND_YAML + PREVIEWS, "apps/web.yaml": WEB_YAML }));
    expect(decidePreview(pr, none, [])).toEqual({ kind: "none", reason: "no app has previews enabled" });
  });
});
