/**
 * Real webhook payloads GitHub sent, from @octokit/webhooks-examples, and a
 * signer for them: tests feed the receiver what GitHub really delivers.
 */
import { createHmac } from "node:crypto";
import { createRequire } from "node:module";
import type { WebhookDefinition } from "@octokit/webhooks-examples";

const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];

/** Every example payload of one event. */
export function examplesOf(name: string): Record<string, unknown>[] {
  const def = definitions.find((d) => d.name === name);
  if (!def) throw new Error(`@octokit/webhooks-examples has no event "${name}"`);
  return def.examples as unknown as Record<string, unknown>[];
}

/** The one example of `name` that `match` picks; throws when there is none. */
export function exampleOf(name: string, match: (p: Record<string, unknown>) => boolean): Record<string, unknown> {
  const found = examplesOf(name).find(match);
  if (!found) throw new Error(`no ${name} example matches`);
  return structuredClone(found);
}

export function eventNames(): string[] {
  return definitions.map((d) => d.name);
}

/** Signed the way GitHub signs: HMAC-SHA256 of the exact body bytes. */
export function sign(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** The real push of refs/heads/master to Codertocat/Hello-World. */
export function pushToMaster(): Record<string, unknown> {
  return exampleOf("push", (p) => p.ref === "refs/heads/master");
}
