/**
 * Docker lists images as `repo:tag` without the default registry, and an
 * untagged reference means `:latest`. Normalising both sides keeps the planner
 * from pulling an image a host already has only because it was spelled differently.
 */
export function normalizeImageRef(ref: string): string {
  let name = ref;
  for (const prefix of ["docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"]) {
    if (name.startsWith(prefix)) {
      name = name.slice(prefix.length);
      break;
    }
  }
  if (name.includes("@")) return name;
  const lastSegment = name.slice(name.lastIndexOf("/") + 1);
  return lastSegment.includes(":") ? name : `${name}:latest`;
}
