/**
 * A real database for the test bed, offline: the host's redis-server and
 * redis-cli (Debian's packages, installed by scripts/testbed/up.sh) with the
 * libraries `ldd` lists, copied onto busybox:stable. Tagged by a digest of
 * the two binaries and kept on both engines, so only the first run builds it.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { pack } from "tar-stream";
import type { DockerPort } from "../../src/model/index.js";

const BINARIES = ["/usr/bin/redis-server", "/usr/bin/redis-cli"];

/** Every file the binaries need, as absolute paths (symlinks named as `ldd` names them). */
function filesToCopy(): string[] {
  const files = new Set(BINARIES);
  for (const binary of BINARIES) {
    const listed = execFileSync("ldd", [binary], { encoding: "utf8" });
    for (const match of listed.matchAll(/(\/\S+) \(0x[0-9a-f]+\)/g)) if (match[1]) files.add(match[1]);
  }
  return [...files].sort();
}

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
  for (const file of filesToCopy()) tar.entry({ name: `rootfs${file}`, mode: 0o755 }, readFileSync(file));
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
