/**
 * A pull request's preview environment as a desired state (DESIGN.md,
 * "Reporting"): env `pr-<n>`, one replica of each app with previews enabled,
 * served at `<app>-pr-<n>.<previews.domain>`, and whether this PR may have
 * one (forks, the cap). Pure: the worker decides, the planner plans it.
 */
import type { AppSpec, DesiredState, PreviewRecord, PullRequestInfo } from "../model/index.js";

/** A maintainer adds this label to give a fork's pull request a preview. */
export const PREVIEW_LABEL = "dockhand:preview";

export function previewEnv(number: number): string {
  return `pr-${number}`;
}

export function previewHostname(app: string, number: number, domain: string): string {
  return `${app}-${previewEnv(number)}.${domain}`;
}

export function previewedApps(desired: DesiredState): AppSpec[] {
  return desired.apps.filter((a) => a.env === "production" && a.previews?.enabled === true);
}

/**
 * The desired state of `pr-<n>`: only the previewed apps, one replica each,
 * on their preview hostname. Deploy hooks are left out: a preview must not
 * migrate the production database its environment may point at.
 */
export function shapePreview(desired: DesiredState, number: number): DesiredState {
  const domain = desired.previews?.domain;
  if (!domain) return { ...desired, apps: [] };
  const apps = previewedApps(desired).map((app): AppSpec => {
    const { hooks: _hooks, ...rest } = app;
    return { ...rest, env: previewEnv(number), replicas: 1, hostnames: [previewHostname(app.name, number, domain)] };
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
  if (previewedApps(desired).length === 0) return { kind: "none", reason: "no app has previews enabled" };
  if (pr.fork && !settings.allowForks && !pr.labels.includes(PREVIEW_LABEL)) {
    return {
      kind: "refused",
      reason: `Pull requests from forks get a preview only when previews.allowForks is true or a maintainer adds the label ${PREVIEW_LABEL}.`,
    };
  }
  const env = previewEnv(pr.number);
  const others = active.filter((p) => p.env !== env).length;
  if (others >= settings.maxActive) {
    return {
      kind: "waiting",
      reason: `${others} previews are live, the most previews.maxActive allows; this pull request gets one on its next push once fewer are.`,
    };
  }
  return { kind: "deploy" };
}
