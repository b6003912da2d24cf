/**
 * Telling a git URL from a path on disk, naming a mirror after its URL, and
 * keeping credentials in URLs out of messages and logs.
 */
import { createHash } from "node:crypto";
import { basename, resolve } from "node:path";

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
// scp-like syntax: user@host:path or host:path (but not C:\ on Windows)
const SCP_LIKE = /^(?:[^@/\\\s]+@)?[^:/\\\s]{2,}:(?!\/\/)/;

/** Whether `repo` names a remote (a URL or scp-like `git@host:owner/name`) rather than a path. */
export function isRemoteUrl(repo: string): boolean {
  return URL_SCHEME.test(repo) || SCP_LIKE.test(repo);
}

/** A remote URL as given; a path made absolute so the same repo gets the same mirror from any cwd. */
export function normaliseRepo(repo: string): string {
  if (repo.startsWith("file://")) return resolve(decodeURIComponent(repo.slice("file://".length)));
  return isRemoteUrl(repo) ? repo : resolve(repo);
}

/** `https://user:token@host/x` ─▶ `https://***@host/x`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]+@/i, "$1***@");
}

/** Readable and unique: `<last path segment>-<16 hex of sha256(url)>.git`. */
export function mirrorName(url: string): string {
  const stem =
    basename(redactUrl(url).replace(/[/\\]+$/, ""))
      .replace(/\.git$/, "")
      .replace(/[^A-Za-z0-9._-]/g, "_")
      .slice(0, 40) || "repo";
  const digest = createHash("sha256").update(url).digest("hex").slice(0, 16);
  return `${stem}-${digest}.git`;
}
