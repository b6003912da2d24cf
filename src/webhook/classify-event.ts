/**
 * What a GitHub event means for dockhand, as a pure function of the event
 * name and payload: a sync of production for a push to the tracked
 * branch of the deploy repo, or to the deployed branch of a repository apps
 * build from (`build.git`); a preview request for a pull request opened,
 * reopened, pushed to or closed; and a reason to ignore everything else (the
 * reason goes back to GitHub in the 202 answer, under "Recent deliveries").
 */
import type { PreviewRequest, SyncJob, TrackedSource } from "../model/jobs.js";
import {
  checkPayload,
  type PullRequestFields,
  type PushFields,
  pullRequestFields,
  pushFields,
} from "./event-payloads.js";
import { sourcesOf } from "./match-source.js";

export type { PreviewRequest };

export interface EventContext {
  /** owner/name of the deploy repo. */
  repository: string;
  /** The tracked branch, e.g. "main". */
  branch: string;
  /** The branch dockhand commits its status record to; pushes to it never trigger anything. */
  statusBranch?: string;
  /** X-GitHub-Delivery, carried into the job for tracing. */
  delivery?: string;
  /** The source repositories apps build from, as the last sync read them. */
  sources?: readonly TrackedSource[];
}

export type EventDecision =
  | { action: "sync"; job: SyncJob }
  | { action: "preview"; request: PreviewRequest }
  | { action: "ignore"; reason: string };

const COMMIT_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const NO_COMMIT = /^0+$/;
const PREVIEW_ACTIONS: Record<string, PreviewRequest["action"]> = {
  opened: "deploy",
  reopened: "deploy",
  synchronize: "deploy",
  closed: "teardown",
};
/** Adding or removing this label on a PR from a fork gives or takes its preview. */
const PREVIEW_LABEL = "dockhand:preview";

function sameRepo(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function classifyPush(payload: unknown, context: EventContext): EventDecision {
  const checked = checkPayload("push", pushFields, payload);
  if (!checked.ok) return { action: "ignore", reason: checked.reason };
  const push = checked.fields;
  const { ref, after } = push;
  const fullName = push.repository.full_name;
  if (!sameRepo(fullName, context.repository)) return classifySourcePush(push, context);
  const { statusBranch } = context;
  if (statusBranch && statusBranch !== context.branch && ref === `refs/heads/${statusBranch}`) {
    return {
      action: "ignore",
      reason: `push to dockhand's status branch ${statusBranch}: its own records never trigger a deploy`,
    };
  }
  const tracked = `refs/heads/${context.branch}`;
  if (ref !== tracked) return { action: "ignore", reason: `push to ${ref}, not the tracked branch ${context.branch}` };
  if (push.deleted || NO_COMMIT.test(after)) {
    return { action: "ignore", reason: `push deleted the tracked branch ${context.branch}; nothing to deploy` };
  }
  if (!COMMIT_SHA.test(after))
    return { action: "ignore", reason: `push has no commit sha in "after" (got "${after}")` };
  const job: SyncJob = { trigger: "push", env: "production", sha: after };
  if (context.delivery !== undefined) job.delivery = context.delivery;
  return { action: "sync", job };
}

/** A push to a repository apps build from: a sync of production, which reads the new head and rebuilds what changed. */
function classifySourcePush(push: PushFields, context: EventContext): EventDecision {
  const { ref, after } = push;
  const fullName = push.repository.full_name;
  const tracked = sourcesOf(fullName, context.sources ?? []);
  if (tracked.length === 0) {
    return {
      action: "ignore",
      reason: `push to ${fullName}: not the deploy repo ${context.repository} nor a build.git of any app`,
    };
  }
  const branch = ref.replace(/^refs\/heads\//, "");
  const apps = tracked.filter((s) => `refs/heads/${s.branch}` === ref).flatMap((s) => s.apps);
  if (apps.length === 0) {
    const deployed = [...new Set(tracked.map((s) => s.branch))].join(", ");
    return { action: "ignore", reason: `push to ${ref} of ${fullName}; its apps deploy ${deployed}` };
  }
  if (push.deleted || NO_COMMIT.test(after)) {
    return { action: "ignore", reason: `push deleted ${branch} of ${fullName}; the apps keep their images` };
  }
  if (!COMMIT_SHA.test(after))
    return { action: "ignore", reason: `push has no commit sha in "after" (got "${after}")` };
  const job: SyncJob = {
    trigger: "source",
    env: "production",
    source: { repository: fullName, branch, sha: after, apps: [...new Set(apps)].sort() },
  };
  if (context.delivery !== undefined) job.delivery = context.delivery;
  return { action: "sync", job };
}

function classifyPullRequest(payload: unknown, context: EventContext): EventDecision {
  const checked = checkPayload("pull_request", pullRequestFields, payload);
  if (!checked.ok) return { action: "ignore", reason: checked.reason };
  const event = checked.fields;
  const { action, number } = event;
  const { head, base } = event.pull_request;
  const fullName = event.repository.full_name;
  let source: PreviewRequest["source"];
  if (!sameRepo(fullName, context.repository)) {
    const matched = sourceOfPullRequest(fullName, base.ref, number, context);
    if ("reason" in matched) return { action: "ignore", reason: matched.reason };
    source = matched;
  }
  const labelled = (action === "labeled" || action === "unlabeled") && event.label?.name === PREVIEW_LABEL;
  const kind = PREVIEW_ACTIONS[action] ?? (labelled ? "deploy" : undefined);
  if (kind === undefined) return { action: "ignore", reason: `pull_request action ${action} is not used` };
  if (!source && base.ref !== context.branch) {
    return {
      action: "ignore",
      reason: `pull request #${number} targets ${base.ref}, not the tracked branch ${context.branch}`,
    };
  }
  if (!COMMIT_SHA.test(head.sha)) return { action: "ignore", reason: `pull request #${number} has no head commit sha` };
  const request: PreviewRequest = {
    action: kind,
    event: action,
    number,
    sha: head.sha,
    ref: head.ref,
    // A head repository that is gone (a deleted fork) counts as a fork.
    fork: head.repo === null || !sameRepo(head.repo.full_name, fullName),
  };
  if (context.delivery !== undefined) request.delivery = context.delivery;
  Object.assign(request, pullRequestExtras(event));
  if (source) request.source = source;
  return { action: "preview", request };
}

/** A pull request on a repository apps build from, into the branch they deploy. */
function sourceOfPullRequest(
  fullName: string,
  base: string,
  number: number,
  context: EventContext,
): NonNullable<PreviewRequest["source"]> | { reason: string } {
  const tracked = sourcesOf(fullName, context.sources ?? []);
  if (tracked.length === 0) {
    return {
      reason: `pull request on ${fullName}: not the deploy repo ${context.repository} nor a build.git of any app`,
    };
  }
  const into = tracked.filter((s) => s.branch === base);
  if (into.length === 0) {
    const deployed = [...new Set(tracked.map((s) => s.branch))].join(", ");
    return { reason: `pull request #${number} on ${fullName} targets ${base}; its apps deploy ${deployed}` };
  }
  return { repository: fullName, branch: base, urls: [...new Set(into.map((s) => s.url))] };
}

/** Labels, merged and the installation, only when they say something. */
function pullRequestExtras(event: PullRequestFields): Partial<PreviewRequest> {
  const names = event.pull_request.labels.map((l) => l.name);
  const installation = event.installation?.id;
  return {
    ...(names.length > 0 ? { labels: names } : {}),
    ...(event.pull_request.merged === true ? { merged: true } : {}),
    ...(installation !== undefined ? { installationId: installation } : {}),
  };
}

export function classifyEvent(name: string, payload: unknown, context: EventContext): EventDecision {
  switch (name) {
    case "ping":
      return { action: "ignore", reason: "pong" };
    case "push":
      return classifyPush(payload, context);
    case "pull_request":
      return classifyPullRequest(payload, context);
    default:
      return { action: "ignore", reason: `event ${name} is not used` };
  }
}
