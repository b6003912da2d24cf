/**
 * X-Hub-Signature-256 check over the exact body GitHub sent. Several secrets
 * may be configured so a secret can be rotated without dropping deliveries:
 * the new one is added, the webhook changed on GitHub, then the old removed.
 * octokit's verifyWithFallback tries the first secret, then the others, each
 * compared in constant time; it is what @octokit/webhooks' Webhooks class
 * runs with `additionalSecrets`, called here on the body as sent because
 * that class parses the signed text as JSON, which a form-encoded delivery is not.
 * https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
 */
import { verifyWithFallback } from "@octokit/webhooks-methods";

const SIGNATURE = /^sha256=[0-9a-f]{64}$/;

/** Whether `signature` is the HMAC-SHA256 of `body` under any of `secrets`. */
export async function verifySignature(secrets: readonly string[], body: string, signature: string): Promise<boolean> {
  if (!SIGNATURE.test(signature) || body === "") return false;
  const [first, ...others] = secrets.filter((s) => s !== "");
  if (first === undefined) return false;
  return (await verifyWithFallback(first, body, signature, others)) === true;
}
