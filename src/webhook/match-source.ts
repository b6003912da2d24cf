/**
 * Which of the apps' source repositories (`build.git`) a GitHub repository is.
 * A webhook names its repository as `owner/name`; a build.git URL ends in
 * `owner/name(.git)` whatever its form (https, ssh, scp-like, a path), so the
 * last two path segments are compared, ignoring case as GitHub does.
 */
import type { TrackedSource } from "../model/jobs.js";

export function ownerAndName(url: string): string | undefined {
  const path = url
    .replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "")
    .replace(/^[^/@:]+@[^:/]+:/, "")
    .replace(/\/+$/, "")
    .replace(/\.git$/, "");
  const parts = path.split(/[/:]/).filter((p) => p !== "");
  if (parts.length < 2) return undefined;
  return `${parts[parts.length - 2]}/${parts[parts.length - 1]}`.toLowerCase();
}

export function sourcesOf(fullName: string, sources: readonly TrackedSource[]): TrackedSource[] {
  const wanted = fullName.toLowerCase();
  return sources.filter((s) => ownerAndName(s.url) === wanted);
}
