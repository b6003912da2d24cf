/**
 * Which of the apps' source repositories (`build.git`) a GitHub repository
 * is: the webhook's `owner/name` against each URL's last two path segments,
 * ignoring case as GitHub does.
 */
import type { TrackedSource } from "../model/jobs.js";
import { ownerAndName } from "../model/owner-and-name.js";

export function sourcesOf(fullName: string, sources: readonly TrackedSource[]): TrackedSource[] {
  const wanted = fullName.toLowerCase();
  return sources.filter((s) => ownerAndName(s.url) === wanted);
}
