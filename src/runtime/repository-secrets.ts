/**
 * DOCKHAND_WEBHOOK_SECRETS: webhook secrets of repositories that have their
 * own, as `owner/name=secret,owner/name=secret`. A repository named twice
 * has two secrets (rotation). Mistakes name the entry, never the secret.
 */
import { DockhandError } from "../model/index.js";

const REPOSITORY = /^[\w.-]+\/[\w.-]+$/;

export function readRepositorySecrets(value: string | undefined): Record<string, string[]> {
  const secrets: Record<string, string[]> = {};
  // Empty entries (a trailing comma) are skipped; numbers still count them, as an editor would.
  (value ?? "").split(",").forEach((raw, index) => {
    const entry = raw.trim();
    if (entry === "") return;
    const at = entry.indexOf("=");
    const repository = entry.slice(0, Math.max(at, 0)).trim().toLowerCase();
    const secret = entry.slice(at + 1).trim();
    // What is wrong, without echoing any part of the entry: it may be a secret put in the wrong place.
    const wrong =
      at < 0
        ? "has no '='"
        : !REPOSITORY.test(repository)
          ? "does not start with owner/name"
          : secret === ""
            ? "has no secret after '='"
            : undefined;
    if (wrong) {
      throw new DockhandError(
        "DOCKHAND_E_USAGE",
        `DOCKHAND_WEBHOOK_SECRETS entry ${index + 1} ${wrong}; write owner/name=secret, comma-separated (e.g. acme/app=s3cret,acme/api=0ther)`,
      );
    }
    secrets[repository] = [...(secrets[repository] ?? []), secret];
  });
  return secrets;
}
