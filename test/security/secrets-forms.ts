/**
 * The secret the secrets-* attack tests hand to containers, and the forms of
 * it an attacker would look for in what dockhand reports.
 */
export const TOKEN = "s3cr3t-value-123";
export const MASKED = "[secret API_TOKEN]";

const b64 = (text: string) => Buffer.from(text).toString("base64");

/** Each long enough to mean the value. */
const FORMS: Record<string, string> = {
  raw: TOKEN,
  base64: b64(TOKEN).slice(0, 20),
  // `API_TOKEN=` is 10 bytes: the value starts 1 byte into a base64 group; these characters encode it alone.
  "base64 inside a longer text": b64(`API_TOKEN=${TOKEN}`).slice(16, 32),
};

/** The names of the forms found in `text`: [] when nothing leaked. */
export function leaks(text: string): string[] {
  return Object.entries(FORMS)
    .filter(([, form]) => text.includes(form))
    .map(([name]) => name);
}
