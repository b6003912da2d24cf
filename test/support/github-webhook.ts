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
