/**
 * Git's failures as DockhandErrors: the first telling line of git's stderr,
 * with credentials redacted, under the stable code DOCKHAND_E_GIT.
 */
import { DockhandError } from "../model/errors.js";
import { redactUrl } from "./git-url.js";

/**
 * The line that says what went wrong: the first one that is not chatter
 * (warning, hint, progress); ssh's own reason comes before git's "fatal:".
 */
export function firstStderrLine(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const telling =
    lines.find((l) => !/^(warning:|hint:|Cloning into)/i.test(l)) ?? lines[0] ?? "git failed without a message";
  return telling.replace(/^(fatal|error):\s*/i, "");
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function scrub(text: string, url: string): string {
  return text.split(url).join(redactUrl(url));
}

/** A fetch or clone failed: worth retrying later (network, a host down). */
export function fetchFailed(url: string, err: unknown): DockhandError {
  const line = scrub(firstStderrLine(messageOf(err)), url);
  return new DockhandError("DOCKHAND_E_GIT", `could not fetch ${redactUrl(url)}: ${line}`, {
    cause: err,
    transient: true,
  });
}

/**
 * Reading the mirror failed after a good fetch: transient by default (a full
 * disk, a lock held by another process); not when the thing asked for is
 * missing at that commit.
 */
export function readFailed(url: string, what: string, err: unknown, transient = true): DockhandError {
  const line = scrub(firstStderrLine(messageOf(err)), url);
  return new DockhandError("DOCKHAND_E_GIT", `could not read ${what} from ${redactUrl(url)}: ${line}`, {
    cause: err,
    transient,
  });
}

export function unknownRef(url: string, ref: string): DockhandError {
  return new DockhandError(
    "DOCKHAND_E_GIT",
    `unknown ref "${ref}" in ${redactUrl(url)}: expected a branch, a tag or a commit sha that exists there`,
  );
}
