/**
 * A real database for the test bed, offline: the host's redis-server and
 * redis-cli (Debian's packages, installed by scripts/testbed/up.sh) with the
 * libraries `ldd` lists, copied onto busybox:stable. Tagged by a digest of
 * the two binaries and kept on both engines, so only the first run builds it.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { pack } from "tar-stream";
import type { DockerPort } from "../../src/model/index.js";
import { withLibraries } from "./host-binaries.js";

const BINARIES = ["/usr/bin/redis-server", "/usr/bin/redis-cli"];

export function redisImageTag(): string {
  const hash = createHash("sha256");
  for (const binary of BINARIES) hash.update(readFileSync(binary));
  return `dockhand-test/redis:${hash.digest("hex").slice(0, 12)}`;
}

function context(): Readable {
  const tar = pack();
  const dockerfile = ["FROM busybox:stable", "COPY rootfs/ /", 'CMD ["redis-server"]', ""].join("\n");
  tar.entry({ name: "Dockerfile" }, dockerfile);
  // The content, not the link: `cp --parents -L` as TESTBED.md describes.
  for (const file of withLibraries(BINARIES)) tar.entry({ name: `rootfs${file}`, mode: 0o755 }, readFileSync(file));
  tar.finalize();
  return Readable.from(tar);
}

/** The image on both test bed engines (built on alpha, shipped to beta), built only when missing. */
export async function ensureRedisImage(docker: DockerPort): Promise<string> {
  const image = redisImageTag();
  if (!(await docker.hasImage("alpha", image))) await docker.build("alpha", image, context(), "Dockerfile", () => {});
  if (!(await docker.hasImage("beta", image))) await docker.ship(image, "alpha", "beta");
  return image;
}
