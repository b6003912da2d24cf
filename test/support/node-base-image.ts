/**
 * A stand-in for node:22-bookworm-slim, offline, so the tests can build
 * dockhand's own Dockerfile (`--build-arg BASE=...`): this machine's node and
 * npm, and the tools the runtime stage would otherwise install with apt (git,
 * ssh, redis-server, tini), each with the libraries `ldd` lists, on
 * busybox:stable; a user `node` (uid 1000) as in the Node images; and the
 * part of this machine's npm cache that package-lock.json needs
 * (test/support/npm-lock-cache.ts), with npm set offline, so the Dockerfile's
 * `npm ci` runs unchanged.
 *
 * Tagged (and labelled) by a digest of what it holds: the binaries by path,
 * size and modification time (an upgrade changes them; reading 100 MB of
 * them on every run would not), npm's version and package-lock.json.
 * Only the first run after a change builds it (test/support/redis-image.ts
 * does the same for Redis).
 */
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pack } from "tar-stream";
import type { DockerPort } from "../../src/model/index.js";
import { withLibraries } from "./host-binaries.js";
import { lockCacheFiles } from "./npm-lock-cache.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BINARIES = ["/usr/bin/node", "/usr/bin/git", "/usr/bin/ssh", "/usr/bin/redis-server", "/usr/bin/tini"];
const NPM_DIR = "/usr/lib/node_modules/npm";
const GIT_CORE = "/usr/lib/git-core";
const GIT_TEMPLATES = "/usr/share/git-core/templates";
/** Where the base keeps its npm cache (npm_config_cache). */
const IMAGE_NPM_CACHE = "/usr/local/share/npm-cache";
export const BASE_UID = 1000;
/** Links the Node images have and busybox lacks: npm's scripts start with `#!/usr/bin/env node`. */
const LINKS: Array<[string, string]> = [
  ["/usr/bin/env", "/bin/env"],
  ["/usr/bin/npm", "../lib/node_modules/npm/bin/npm-cli.js"],
  ["/usr/bin/npx", "../lib/node_modules/npm/bin/npx-cli.js"],
];

function dockerfile(tag: string): string {
  return [
    "FROM busybox:stable",
    `LABEL dockhand-test.base=${tag}`,
    "COPY rootfs/ /",
    `ENV npm_config_cache=${IMAGE_NPM_CACHE} npm_config_offline=true npm_config_update_notifier=false`,
    'CMD ["node"]',
    "",
  ].join("\n");
}

const PASSWD = `root:x:0:0:root:/root:/bin/sh\nnode:x:${BASE_UID}:${BASE_UID}::/home/node:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n`;
const GROUP = `root:x:0:\nnode:x:${BASE_UID}:\nnobody:x:65534:\n`;

/** Every file and symlink under `dir`, sorted, as absolute paths. */
function walk(dir: string): string[] {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() || e.isSymbolicLink())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** git's builtins are symlinks to `git` in git-core; its other helpers (perl, curl) are not needed. */
function gitCore(): string[] {
  return walk(GIT_CORE).filter((path) => path === join(GIT_CORE, "git") || lstatSync(path).isSymbolicLink());
}

/** This machine's npm cache: where npm (which runs the tests) says, else npm's default. */
function npmCacheDir(): string {
  return join(process.env.npm_config_cache ?? join(homedir(), ".npm"), "_cacache");
}

export function nodeBaseImageTag(): string {
  const hash = createHash("sha256").update(dockerfile("")).update(PASSWD).update(GROUP).update(JSON.stringify(LINKS));
  for (const file of withLibraries(BINARIES)) {
    const { size, mtimeMs } = statSync(file);
    hash.update(`${file} ${size} ${mtimeMs}\n`);
  }
  hash.update(readFileSync(join(NPM_DIR, "package.json")));
  // The lock, not the cache files: npm refreshes packuments in the shared cache whenever anyone installs.
  hash.update(readFileSync(join(ROOT, "package-lock.json")));
  return `dockhand-test/node-base:${hash.digest("hex").slice(0, 12)}`;
}

type Tar = ReturnType<typeof pack>;

/** Adds `path` of this machine at `at` in the image: a symlink as a symlink when `links`, else its content. */
function add(tar: Tar, path: string, at: string, links: boolean): void {
  const stat = lstatSync(path);
  const name = `rootfs${at}`;
  if (links && stat.isSymbolicLink()) tar.entry({ name, type: "symlink", linkname: readlinkSync(path) });
  else tar.entry({ name, mode: stat.mode & 0o7777 }, readFileSync(path));
}

function context(tag: string): Readable {
  const tar = pack();
  tar.entry({ name: "Dockerfile" }, dockerfile(tag));
  // The content of each library, not the link: `cp --parents -L` as TESTBED.md describes.
  for (const file of withLibraries(BINARIES)) add(tar, file, file, false);
  for (const file of [...gitCore(), ...walk(GIT_TEMPLATES), ...walk(NPM_DIR)]) add(tar, file, file, true);
  for (const [path, target] of LINKS) tar.entry({ name: `rootfs${path}`, type: "symlink", linkname: target });
  const cache = npmCacheDir();
  const imageCache = `${IMAGE_NPM_CACHE}/_cacache`;
  for (const file of lockCacheFiles(join(ROOT, "package-lock.json"), cache))
    add(tar, join(cache, file), `${imageCache}/${file}`, false);
  tar.entry({ name: "rootfs/etc/passwd" }, PASSWD);
  tar.entry({ name: "rootfs/etc/group" }, GROUP);
  tar.entry({ name: "rootfs/home/node", type: "directory", mode: 0o755, uid: BASE_UID, gid: BASE_UID });
  tar.finalize();
  return Readable.from(tar);
}

/** The base on `host` (a test bed engine), built only when missing; returns its tag. */
export async function ensureNodeBaseImage(docker: DockerPort, host: string): Promise<string> {
  const image = nodeBaseImageTag();
  if (!(await docker.hasImage(host, image))) await docker.build(host, image, context(image), "Dockerfile", () => {});
  return image;
}
