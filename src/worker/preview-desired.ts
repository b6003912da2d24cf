/**
 * A pull request's preview environment as a desired state (DESIGN.md,
 * "Reporting"): env `pr-<n>` (`<repo>-pr-<n>` for a pull request on an app's
 * source repository), one replica of each app with previews enabled, served at
 * `<app>-<env>.<previews.domain>`, and whether this PR may have
 * one (forks, the cap). Pure: the worker decides, the planner plans it.
 */
import type { AppSpec, DesiredState, PreviewRecord, PullRequestInfo } from "../model/index.js";

/** A maintainer adds this label to give a fork's pull request a preview. */
export const PREVIEW_LABEL = "dockhand:preview";

/** What names a preview: the PR's number, and its repository when that is an app's source repository. */
export type PreviewOf = Pick<PullRequestInfo, "number" | "repository" | "source">;

/**
 * `pr-<n>` for a pull request on the deploy repo; `<repo>-pr-<n>` for one on
 * a source repository, whose numbers are counted apart from the deploy repo's.
 */
export function previewEnv(pr: PreviewOf): string {
  if (!pr.source) return `pr-${pr.number}`;
  const name = (pr.repository.split("/").pop() ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `${name || "source"}-pr-${pr.number}`;
}

export function previewHostname(app: string, pr: PreviewOf, domain: string): string {
  return `${app}-${previewEnv(pr)}.${domain}`;
}

/** Apps with previews enabled; for a PR on a source repository, only those that build from it. */
export function previewedApps(desired: DesiredState, pr?: PreviewOf): AppSpec[] {
  const urls = pr?.source ? new Set(pr.source.urls) : undefined;
  return desired.apps.filter(
    (a) =>
      a.env === "production" &&
      a.previews?.enabled === true &&
      (urls === undefined || (a.build?.git !== undefined && urls.has(a.build.git.url))),
  );
}

/**
 * The desired state of the PR's preview: only the previewed apps, one replica
 * each, on their preview hostname. Deploy hooks are left out: a preview must
 * not migrate the production database its environment may point at.
 */
export function shapePreview(desired: DesiredState, pr: PreviewOf): DesiredState {
  const domain = desired.previews?.domain;
  if (!domain) return { ...desired, apps: [] };
  const apps = previewedApps(desired, pr).map((app): AppSpec => {
    const { hooks: _hooks, ...rest } = app;
    return { ...rest, env: previewEnv(pr), replicas: 1, hostnames: [previewHostname(app.name, pr, domain)] };
  });
  return { ...desired, apps };
}

export type PreviewDecision =
  | { kind: "none"; reason: string }
  | { kind: "refused"; reason: string }
  | { kind: "waiting"; reason: string }
  | { kind: "deploy" };

/** Whether the PR gets (or keeps) a preview; `active` are the previews live now (any PR). */
export function decidePreview(pr: PullRequestInfo, desired: DesiredState, active: PreviewRecord[]): PreviewDecision {
  const settings = desired.previews;
  if (!settings) return { kind: "none", reason: "dockhand.yaml has no previews section" };
  if (previewedApps(desired, pr).length === 0) {
    const reason = pr.source
      ? `no app building from ${pr.repository} has previews enabled`
      : "no app has previews enabled";
    return { kind: "none", reason };
  }
  if (pr.fork && !settings.allowForks && !pr.labels.includes(PREVIEW_LABEL)) {
    return {
      kind: "refused",
      reason: `Pull requests from forks get a preview only when previews.allowForks is true or a maintainer adds the label ${PREVIEW_LABEL}.`,
    };
  }
  const env = previewEnv(pr);
  const others = active.filter((p) => p.env !== env).length;
  if (others >= settings.maxActive) {
    return {
      kind: "waiting",
      reason: `${others} previews are live, the most previews.maxActive allows; this pull request gets one on its next push once fewer are.`,
    };
  }
  return { kind: "deploy" };
}
