import { describe, expect, it } from "vitest";
import { parseDeployRepo } from "../../../../src/config/index.js";
import type { PreviewRecord, PullRequestInfo } from "../../../../src/model/index.js";
import {
  confinePreview,
  decidePreview,
  PREVIEW_LABEL,
  previewEnv,
} from "../../../../src/worker/previews/preview-desired.js";
import { DOCKHAND_YAML, snapshotOf, WEB_YAML } from "../../config/deploy-repo-fixture.js";

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

describe("confinePreview", () => {
  it("keeps the apps with previews enabled: one replica, its preview hostname, no deploy hook", () => {
    const desired = desiredWith(DOCKHAND_YAML + PREVIEWS);
    const shaped = confinePreview(desired, desired, pr);
    expect(shaped.apps.map((a) => [a.name, a.env, a.replicas, a.hostnames, a.hooks])).toEqual([
      ["api", "pr-42", 1, ["api-pr-42.preview.example.com"], undefined],
    ]);
    const production = desired.apps.find((a) => a.name === "api");
    expect(shaped.apps[0]?.specHash).toBe(production?.specHash);
  });

  it("takes from the head only the image, env and what runs inside the container; the rest from the tracked branch", () => {
    const policy = `${API_YAML.replace("previews: { enabled: true }", "previews: { enabled: true, secrets: [PREVIEW_DB] }")}secrets: [PROD_DB]\nresources: { memory: 64m }\nvolumes: [{ name: data, target: /data }]\n`;
    const hostile =
      "name: api\nimage: evil:latest\nport: 9999\nreplicas: 50\nenv: { MODE: pwned }\ncommand: [sh, -c, id]\n" +
      "secrets: [PROD_DB, ADMIN_KEY]\nresources: { memory: 64g }\nplacement: { hosts: [alpha] }\n" +
      "volumes: [{ source: /var/run/docker.sock, target: /var/run/docker.sock }, { source: /, target: /host }]\n" +
      "hooks: { beforeDeploy: [sh, -c, 'curl evil'] }\npreviews: { enabled: true, secrets: [ADMIN_KEY] }\n";
    const tracked = parseDeployRepo(snapshotOf({ "dockhand.yaml": DOCKHAND_YAML + PREVIEWS, "apps/api.yaml": policy }));
    const head = parseDeployRepo(snapshotOf({ "dockhand.yaml": DOCKHAND_YAML + PREVIEWS, "apps/api.yaml": hostile }));
    const [app] = confinePreview(tracked, head, pr).apps;
    expect(app).toMatchObject({
      image: "evil:latest",
      port: 9999,
      environment: { MODE: "pwned" },
      command: ["sh", "-c", "id"],
    });
    expect(app?.replicas).toBe(1);
    expect(app?.secrets).toEqual(["PREVIEW_DB"]);
    expect(app?.resources).toEqual(tracked.apps[0]?.resources);
    expect(app?.placement).toEqual(tracked.apps[0]?.placement);
    expect(app?.volumes).toEqual([{ kind: "volume", name: "data", target: "/data", shared: false, readOnly: false }]);
    expect(app?.hooks).toBeUndefined();
    expect(app?.previews).toEqual({ enabled: true, secrets: ["PREVIEW_DB"] });
  });

  it("drops host bind mounts the tracked branch itself names, and gives no secrets unless previews.secrets names them", () => {
    const withBind = `${API_YAML}secrets: [PROD_DB]\nvolumes: [{ source: /srv/data, target: /data }]\n`;
    const tracked = parseDeployRepo(
      snapshotOf({ "dockhand.yaml": DOCKHAND_YAML + PREVIEWS, "apps/api.yaml": withBind }),
    );
    const [app] = confinePreview(tracked, tracked, pr).apps;
    expect(app?.volumes).toBeUndefined();
    expect(app?.secrets).toBeUndefined();
  });

  it("previews only apps the tracked branch enables, even when the head enables more", () => {
    const tracked = desiredWith(DOCKHAND_YAML + PREVIEWS);
    const head = desiredWith(DOCKHAND_YAML + PREVIEWS, `${WEB_YAML}previews: { enabled: true }\n`);
    expect(confinePreview(tracked, head, pr).apps.map((a) => a.name)).toEqual(["api"]);
  });

  it("has no apps without a previews section", () => {
    const none = desiredWith(DOCKHAND_YAML);
    expect(confinePreview(none, none, pr).apps).toEqual([]);
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
    const shaped = confinePreview(desired, desired, sourcePr);
    expect(shaped.apps.map((a) => [a.name, a.env, a.hostnames])).toEqual([
      ["web", "web-app-pr-42", ["web-web-app-pr-42.preview.example.com"]],
    ]);
    expect(confinePreview(desired, desired, pr).apps.map((a) => a.name)).toEqual(["api", "web"]);
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
    [
      "a fork a maintainer labels",
      { ...pr, fork: true, action: "labeled" as const, labels: [PREVIEW_LABEL] },
      [],
      "deploy",
    ],
    [
      "a fork with the label but no approval of its head",
      { ...pr, fork: true, labels: [PREVIEW_LABEL] },
      [],
      "refused",
    ],
    ["a PR over maxActive", pr, [live(1), live(2)], "waiting"],
    ["a PR whose own preview counts toward the cap", pr, [live(1), live(42)], "deploy"],
  ])("%s: %s", (_name, request, active, kind) => {
    expect(decidePreview(request, desired, active).kind).toBe(kind);
  });

  it("ties a maintainer's label to the head it was added to", () => {
    const fork = { ...pr, fork: true, labels: [PREVIEW_LABEL], action: "synchronize" as const };
    expect(decidePreview({ ...fork, action: "labeled" }, desired, []).kind).toBe("deploy");
    expect(decidePreview(fork, desired, [], pr.headSha).kind).toBe("deploy");
    expect(decidePreview(fork, desired, [], "c".repeat(40))).toEqual({
      kind: "refused",
      removeLabel: true,
      reason: `The label ${PREVIEW_LABEL} approved ccccccc; aaaaaaa is a new push, so a maintainer must add the label again after reviewing it.`,
    });
    expect(decidePreview(fork, desired, []).kind).toBe("refused");
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
