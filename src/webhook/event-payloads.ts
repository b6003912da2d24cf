/**
 * The fields of GitHub's push and pull_request payloads that dockhand reads,
 * checked at runtime (zod) before anything is decided from them. Each schema
 * `satisfies` a shape taken from @octokit/webhooks' event types, which are
 * generated from GitHub's webhook description: a field read here has the type
 * GitHub gives it, and the compiler says when the two part. Fields dockhand
 * does not read are neither checked nor kept.
 */
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import { z } from "zod";

type PushEvent = EmitterWebhookEvent<"push">["payload"];
/** A union over every pull_request action; a field some actions lack is undefined there. */
type PullRequestEvent = EmitterWebhookEvent<"pull_request">["payload"];
type FieldOf<U, K extends PropertyKey> = U extends unknown ? (K extends keyof U ? U[K] : undefined) : never;
type PullRequest = PullRequestEvent["pull_request"];
type HeadRepository = NonNullable<PullRequest["head"]["repo"]>;

export interface PushFields {
  ref: PushEvent["ref"];
  after: PushEvent["after"];
  deleted: PushEvent["deleted"];
  repository: Pick<PushEvent["repository"], "full_name">;
}

export interface PullRequestFields {
  /** A string, not GitHub's list of actions: an action GitHub adds later is ignored, not refused. */
  action: string;
  number: PullRequestEvent["number"];
  repository: Pick<PullRequestEvent["repository"], "full_name">;
  pull_request: {
    head: Pick<PullRequest["head"], "sha" | "ref"> & { repo: Pick<HeadRepository, "full_name"> | null };
    base: Pick<PullRequest["base"], "ref">;
    labels: Pick<PullRequest["labels"][number], "name">[];
    merged?: FieldOf<PullRequest, "merged">;
  };
  /** The label a labeled or unlabeled event is about. */
  label?: Pick<NonNullable<FieldOf<PullRequestEvent, "label">>, "name">;
  /** Set when the delivery comes from a GitHub App's webhook. */
  installation?: Pick<NonNullable<FieldOf<PullRequestEvent, "installation">>, "id">;
}

const fullName = z.object({ full_name: z.string() });

export const pushFields = z.object({
  ref: z.string(),
  after: z.string(),
  deleted: z.boolean(),
  repository: fullName,
}) satisfies z.ZodType<PushFields>;

export const pullRequestFields = z.object({
  action: z.string(),
  number: z.number(),
  repository: fullName,
  pull_request: z.object({
    // A head repository that is gone (a deleted fork) is null.
    head: z.object({ sha: z.string(), ref: z.string(), repo: fullName.nullable() }),
    base: z.object({ ref: z.string() }),
    labels: z.array(z.object({ name: z.string() })),
    merged: z.boolean().nullable().optional(),
  }),
  label: z.object({ name: z.string() }).optional(),
  installation: z.object({ id: z.number() }).optional(),
}) satisfies z.ZodType<PullRequestFields>;

/** Every event that names a repository; events about none (an App's installation) lack it. */
const namesRepository = z.object({ repository: fullName });

export type Checked<T> = { ok: true; fields: T } | { ok: false; reason: string };

/** The fields `schema` reads from `payload`, or why the payload does not have them, path by path. */
export function checkPayload<T>(event: string, schema: z.ZodType<T>, payload: unknown): Checked<T> {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return { ok: true, fields: parsed.data };
  const shown = parsed.error.issues.slice(0, 3).map(describeIssue);
  const more = parsed.error.issues.length - shown.length;
  const rest = more > 0 ? `; and ${more} more` : "";
  return { ok: false, reason: `${event} payload is not as GitHub sends it: ${shown.join("; ")}${rest}` };
}

/** `repository.full_name` of a payload, or undefined when it names no repository. */
export function repositoryOf(payload: unknown): string | undefined {
  const parsed = namesRepository.safeParse(payload);
  return parsed.success ? parsed.data.repository.full_name : undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i > 0 ? "." : ""}${String(p)}`));
  const what = issue.message.replace(/^Invalid input: /, "");
  return path.length > 0 ? `${path.join("")}: ${what}` : what;
}
