/**
 * A pull request's preview environment as a desired state (docs/github.md):
 * env `pr-<n>` (`<repo>-pr-<n>` for a pull request on an app's
 * source repository), one replica of each app with previews enabled, served at
 * `<app>-<env>.<previews.domain>`, and whether this PR may have
 * one (forks, the cap). Pure: the worker decides, the planner plans it. Both
 * read the tracked branch's config, never the PR head's (docs/security.md).
 */
import { computeSpecFields, computeSpecHash, specHashParts } from "../../config/index.js";
import type { AppSpec, DesiredState, PreviewRecord, PullRequestInfo } from "../../model/index.js";

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
      a.env === (desired.previews?.base ?? "production") &&
      a.previews?.enabled === true &&
      (urls === undefined || (a.build?.git !== undefined && urls.has(a.build.git.url))),
  );
}

/**
 * The desired state of the PR's preview. Everything that decides what the
 * preview may touch comes from `base`, the tracked branch's config: which
 * apps have previews, hosts and placement, volumes, resources, secrets
 * (only `previews.secrets`), registry, status branch. From `head` (the PR's
 * apps, parsed under the tracked branch's dockhand.yaml) it takes only what
 * the pull request is for: the image or build context, env, and what the
 * container does inside itself (port, command, health, stop timeout).
 * One replica, no host bind mounts, no deploy hooks (docs/security.md).
 */
export function confinePreview(base: DesiredState, head: DesiredState, pr: PreviewOf): DesiredState {
  const domain = base.previews?.domain;
  // The head's apps as the environment previews are based on sees them (the tracked branch names it).
  const baseEnv = base.previews?.base ?? "production";
  const heads = new Map(head.apps.filter((app) => app.env === baseEnv).map((app) => [app.name, app]));
  const apps = domain
    ? previewedApps(base, pr).flatMap((policy) => {
        const app = heads.get(policy.name);
        return app ? [previewApp(policy, app, pr, domain)] : [];
      })
    : [];
  return { ...base, source: head.source, apps };
}

function previewApp(policy: AppSpec, head: AppSpec, pr: PreviewOf, domain: string): AppSpec {
  const volumes = policy.volumes?.filter((v) => v.kind === "volume");
  const secrets = policy.previews?.secrets;
  const app: AppSpec = {
    name: policy.name,
    file: head.file,
    image: head.image,
    ...(head.build ? { build: head.build } : {}),
    ...(head.port !== undefined ? { port: head.port } : {}),
    environment: head.environment,
    // References resolve within the preview's own environment (none of its apps has a fixed hostPort: it
    // would collide with production's), so a preview that references another app is an error on it.
    ...(head.envRefs ? { envRefs: head.envRefs } : {}),
    health: head.health,
    ...(head.command ? { command: head.command } : {}),
    ...(head.stopTimeoutMs !== undefined ? { stopTimeoutMs: head.stopTimeoutMs } : {}),
    env: previewEnv(pr),
    replicas: 1,
    hostnames: [previewHostname(policy.name, pr, domain)],
    rollout: policy.rollout,
    placement: policy.placement,
    ...(policy.resources ? { resources: policy.resources } : {}),
    ...(volumes?.length ? { volumes } : {}),
    ...(secrets?.length ? { secrets } : {}),
    ...(policy.previews ? { previews: policy.previews } : {}),
    specHash: "",
    specFields: {},
  };
  const parts = specHashParts(app);
  return { ...app, specHash: computeSpecHash(parts), specFields: computeSpecFields(parts) };
}

export type PreviewDecision =
  | { kind: "none"; reason: string }
  | { kind: "refused"; reason: string; removeLabel?: boolean }
  | { kind: "waiting"; reason: string }
  | { kind: "deploy" };

/**
 * Whether the PR gets (or keeps) a preview; `desired` is the tracked branch's
 * config, `active` the previews live now (any PR), `approved` the head commit
 * the preview label approved (a fork's PR).
 */
export function decidePreview(
  pr: PullRequestInfo,
  desired: DesiredState,
  active: PreviewRecord[],
  approved?: string,
): PreviewDecision {
  const settings = desired.previews;
  if (!settings) return { kind: "none", reason: "dockhand.yaml has no previews section" };
  if (previewedApps(desired, pr).length === 0) {
    const reason = pr.source
      ? `no app building from ${pr.repository} has previews enabled`
      : "no app has previews enabled";
    return { kind: "none", reason };
  }
  if (pr.fork && !settings.allowForks) {
    const refused = forkRefusal(pr, approved);
    if (refused) return refused;
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

/**
 * A fork's PR runs only the commit a maintainer looked at: the label approves
 * the head it was added to (the `labeled` event's), and a later push needs
 * the label again, so the worker takes it off.
 */
function forkRefusal(pr: PullRequestInfo, approved: string | undefined): PreviewDecision | undefined {
  const labelled = pr.labels.includes(PREVIEW_LABEL);
  if (labelled && (pr.action === "labeled" || approved === pr.headSha)) return undefined;
  if (!labelled) {
    return {
      kind: "refused",
      reason: `Pull requests from forks get a preview only when the tracked branch's previews.allowForks is true or a maintainer adds the label ${PREVIEW_LABEL}.`,
    };
  }
  const was = approved ? approved.slice(0, 7) : "an earlier commit";
  return {
    kind: "refused",
    removeLabel: true,
    reason: `The label ${PREVIEW_LABEL} approved ${was}; ${pr.headSha.slice(0, 7)} is a new push, so a maintainer must add the label again after reviewing it.`,
  };
}
