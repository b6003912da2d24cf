/**
 * Real GitHub webhook payloads (@octokit/webhooks-examples), adapted to a test's
 * repository and signed like GitHub signs them.
 */
import { createHmac, randomUUID } from "node:crypto";
import { createRequire } from "node:module";

interface ExampleGroup {
  name: string;
  examples: Array<Record<string, unknown>>;
}

const require = createRequire(import.meta.url);
const groups = require("@octokit/webhooks-examples") as ExampleGroup[];

/** A deep copy of the first real example of `event` that satisfies `pick`. */
export function examplePayload(event: string, pick: (p: Record<string, unknown>) => boolean = () => true): Record<string, any> {
  const group = groups.find((g) => g.name === event);
  const found = group?.examples.find(pick);
  if (!found) throw new Error(`no example payload for ${event}`);
  return structuredClone(found) as Record<string, any>;
}

/** A real push payload, pointed at `fullName`, `ref` and `after`. */
export function pushPayload(fullName: string, ref: string, after: string): Record<string, any> {
  const payload = examplePayload("push", (p) => !(p as { deleted?: boolean }).deleted);
  const [owner, name] = fullName.split("/");
  payload.ref = ref;
  payload.after = after;
  payload.repository.full_name = fullName;
  payload.repository.name = name;
  payload.repository.owner.login = owner;
  payload.repository.owner.name = owner;
  return payload;
}

export function sign(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** POSTs a signed delivery the way GitHub does; returns status and body. */
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
