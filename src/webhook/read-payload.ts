/**
 * The JSON payload inside a webhook body. GitHub sends it either as the body
 * itself (content type application/json) or as the `payload` field of a form
 * (application/x-www-form-urlencoded); the signature covers the body as sent.
 */

export type PayloadResult = { ok: true; payload: Record<string, unknown> } | { ok: false; reason: string };

export const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";

// ignoreBOM keeps a BOM in the text: the signature covers it, and JSON.parse then rejects it.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The body as text, or undefined when it is not UTF-8 (GitHub's JSON always is). */
export function decodeBody(raw: Buffer): string | undefined {
  try {
    return strictUtf8.decode(raw);
  } catch {
    return undefined;
  }
}

export function readPayload(text: string, contentType: string): PayloadResult {
  let json = text;
  if (contentType.toLowerCase().startsWith(FORM_CONTENT_TYPE)) {
    const field = new URLSearchParams(text).get("payload");
    if (field === null) return { ok: false, reason: "form body has no payload field" };
    json = field;
  }
  let payload: unknown;
  try {
    payload = JSON.parse(json);
  } catch (err) {
    return { ok: false, reason: `body is not JSON: ${(err as Error).message}` };
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return { ok: false, reason: "body is JSON but not an object" };
  }
  return { ok: true, payload: payload as Record<string, unknown> };
}
