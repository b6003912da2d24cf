/**
 * Deliveries the way GitHub makes them: a real example payload, adapted to a
 * test's repository, signed over the exact body and POSTed to a receiver.
 */
import { randomUUID } from "node:crypto";
import { exampleOf, sign } from "./github-examples.js";

interface PushPayload extends Record<string, unknown> {
  ref: string;
  after: string;
  repository: { full_name: string; name: string; owner: { login: string; name?: string } };
}

/** A real push payload, pointed at `fullName`, `ref` and `after`. */
export function pushPayload(fullName: string, ref: string, after: string): PushPayload {
  const payload = exampleOf("push", (p) => !p.deleted) as PushPayload;
  const [owner = "", name = ""] = fullName.split("/");
  payload.ref = ref;
  payload.after = after;
  payload.repository.full_name = fullName;
  payload.repository.name = name;
  payload.repository.owner.login = owner;
  payload.repository.owner.name = owner;
  return payload;
}

export interface PullRequestFields {
  repository: string;
  number: number;
  /** The head commit. */
  sha: string;
  headRef: string;
  /** Where the head lives; another repository than `repository` makes a fork. */
  headRepository?: string;
  base: string;
  merged?: boolean;
  installationId?: number;
  /** Labels on the pull request. */
  labels?: string[];
  /** The label a `labeled` or `unlabeled` event is about. */
  label?: string;
}

/** A real pull_request payload of `action` (opened, synchronize, closed, ...), pointed at `fields`. */
export function pullRequestPayload(action: string, fields: PullRequestFields): Record<string, unknown> {
  const payload = exampleOf("pull_request", (p) => p.action === action) as Record<string, unknown> & {
    number: number;
    repository: { full_name: string };
    installation?: { id: number; node_id: string };
    pull_request: {
      number: number;
      merged: boolean;
      labels: unknown[];
      head: { sha: string; ref: string; repo: { full_name: string } };
      base: { ref: string };
    };
  };
  const pr = payload.pull_request;
  payload.number = fields.number;
  payload.repository.full_name = fields.repository;
  pr.number = fields.number;
  pr.head = {
    ...pr.head,
    sha: fields.sha,
    ref: fields.headRef,
    repo: { full_name: fields.headRepository ?? fields.repository },
  };
  pr.base.ref = fields.base;
  pr.merged = fields.merged ?? false;
  pr.labels = (fields.labels ?? []).map((name) => ({ name }));
  if (fields.label !== undefined) payload.label = { name: fields.label };
  if (fields.installationId !== undefined) payload.installation = { id: fields.installationId, node_id: "x" };
  return payload;
}

/** POSTs a signed delivery; returns status and body. */
export async function deliver(
  url: string,
  event: string,
  payload: unknown,
  secret: string,
  delivery: string = randomUUID(),
): Promise<{ status: number; body: string; delivery: string }> {
  const body = JSON.stringify(payload);
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": delivery,
      "x-hub-signature-256": sign(secret, body),
      "user-agent": "GitHub-Hookshot/test",
    },
    body,
  });
  return { status: response.status, body: await response.text(), delivery };
}

/** A signed push of `sha` to main of `fullName`, delivered to `dockhand serve` on `httpPort`. */
export function deliverPush(
  httpPort: number,
  fullName: string,
  sha: string,
  secret: string,
): Promise<{ status: number; body: string; delivery: string }> {
  return deliver(
    `http://127.0.0.1:${httpPort}/webhooks/github`,
    "push",
    pushPayload(fullName, "refs/heads/main", sha),
    secret,
  );
}
