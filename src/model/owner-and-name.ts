/**
 * `owner/name` of a repository URL, lower-cased as GitHub compares names. A
 * webhook names its repository as `owner/name`; a build.git URL ends in
 * `owner/name(.git)` whatever its form (https, ssh, scp-like, a path), so the
 * last two path segments are what both sides compare.
 */
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
