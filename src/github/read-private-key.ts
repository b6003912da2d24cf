/**
 * GITHUB_APP_PRIVATE_KEY as people set it: the .pem file's contents, the same
 * with newlines written as `\n` (one-line env files), or the file's path.
 * Checked here, at start, so a bad key is one clear message and not a cryptic
 * failure on the first webhook.
 */
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { DockhandError } from "../model/errors.js";

const FIX =
  "generate a new private key on the App's settings page (Private keys ─▶ Generate) and set GITHUB_APP_PRIVATE_KEY to the downloaded .pem file's contents or its path";

function bad(message: string, cause?: unknown): DockhandError {
  return new DockhandError("DOCKHAND_E_USAGE", `GITHUB_APP_PRIVATE_KEY ${message}: ${FIX}`, { cause });
}

function pemText(value: string): string {
  const text = value.includes("\\n") ? value.replace(/\\n/g, "\n") : value;
  if (text.trimStart().startsWith("-----BEGIN")) return text;
  try {
    return readFileSync(value, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw bad(`is neither a PEM key (-----BEGIN ... PRIVATE KEY-----) nor a readable file (${value}: ${code})`, err);
  }
}

/** The key as PKCS#8 PEM (what the JWT signer takes), or a DOCKHAND_E_USAGE error that says how to fix it. */
export function readPrivateKey(value: string): string {
  const text = pemText(value).trim();
  if (!text.includes("-----END")) {
    throw bad("holds only the first line of the key (an env file cut it at the first newline); write newlines as \\n");
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(text);
  } catch (err) {
    throw bad(`is not a valid PEM private key (${(err as Error).message})`, err);
  }
  if (key.asymmetricKeyType !== "rsa") {
    throw bad(`is not an RSA key (it is ${key.asymmetricKeyType ?? "unknown"}); GitHub App keys are RSA`);
  }
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}
