import { createHash } from "node:crypto";

/**
 * The tag a `build:` app's image gets: named by the context's tree hash and the
 * Dockerfile path, so an unchanged context maps to an existing tag and is never
 * rebuilt (docs/architecture.md#where-the-code-departs-from-the-design). Build args and the target change what is
 * built from the same context, so they are part of the name too. The context's
 * repository is not: the same tree builds the same image wherever it lives.
 */
export function buildImageTag(
  app: string,
  contextHash: string,
  dockerfile: string,
  options: { args?: Record<string, string>; target?: string } = {},
): string {
  const hash = createHash("sha256").update(`${contextHash}\0${dockerfile}`);
  // Only when set, so the tags of builds without them stay what they were.
  if (options.args && Object.keys(options.args).length > 0) {
    const sorted = Object.entries(options.args).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    hash.update(`\0args\0${JSON.stringify(sorted)}`);
  }
  if (options.target) hash.update(`\0target\0${options.target}`);
  const digest = hash.digest("hex");
  return `dockhand/${app}:${digest.slice(0, 12)}`;
}
