import { createHash } from "node:crypto";

/**
 * The tag a `build:` app's image gets: named by the context's tree hash and the
 * Dockerfile path, so an unchanged context maps to an existing tag and is never
 * rebuilt (DESIGN.md, "Images").
 */
export function buildImageTag(app: string, contextHash: string, dockerfile: string): string {
  const digest = createHash("sha256").update(`${contextHash}\0${dockerfile}`).digest("hex");
  return `dockhand/${app}:${digest.slice(0, 12)}`;
}
