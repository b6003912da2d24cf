const DEFAULT_REGISTRY_PREFIXES = ["docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"];

/**
 * Docker lists images as `repo:tag` without the default registry, and an
 * untagged reference means `:latest`. Normalising both sides keeps the planner
 * from pulling an image a host already has only because it was spelled differently.
 * Allocation-free for the common case (already `repo:tag`): it runs for every
 * image on every host.
 */
export function normalizeImageRef(ref: string): string {
  let name = ref;
  if (name.startsWith("docker.io/") || name.startsWith("index.docker.io/")) {
    const prefix = DEFAULT_REGISTRY_PREFIXES.find((p) => name.startsWith(p)) ?? "";
    name = name.slice(prefix.length);
  }
  if (name.includes("@")) return name;
  // A colon after the last slash is a tag; one before it belongs to a registry port.
  return name.indexOf(":", name.lastIndexOf("/") + 1) >= 0 ? name : `${name}:latest`;
}
