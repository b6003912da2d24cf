/**
 * X-Hub-Signature-256 check over the exact body GitHub sent. Several secrets
 * may be configured so a secret can be rotated without dropping deliveries:
 * the new one is added, the webhook changed on GitHub, then the old removed.
 * https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
 */
import { verify } from "@octokit/webhooks-methods";

const SIGNATURE = /^sha256=[0-9a-f]{64}$/;

/** Whether `signature` is the HMAC-SHA256 of `body` under any of `secrets` (compared in constant time). */
export async function verifySignature(secrets: readonly string[], body: string, signature: string): Promise<boolean> {
  if (!SIGNATURE.test(signature) || body === "") return false;
  for (const secret of secrets) {
    if (secret !== "" && (await verify(secret, body, signature))) return true;
  }
  return false;
}
