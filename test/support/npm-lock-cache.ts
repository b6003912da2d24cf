/**
 * The part of this machine's npm cache that `npm ci --offline` needs for
 * package-lock.json, so an offline image can carry those packages and not the
 * whole cache (hundreds of MB of other projects' and older versions).
 *
 * npm's cache is cacache: content under content-v2/<algo>/<hex digest>, and an
 * index under index-v5/<sha256 of the key> whose lines name each key's
 * content. pacote reads a locked package with an `integrity` straight by its
 * digest; a package the lock holds without one, or without its `resolved`
 * URL, is resolved again through its packument and fetched by URL, so for
 * those the index entries of both requests (and what they point at) come
 * along.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const REGISTRY = "https://registry.npmjs.org";
/** make-fetch-happen's prefix for the cache key of a request. */
const KEY_PREFIX = "make-fetch-happen:request-cache:";

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
}

/** cacache splits a hex digest into two levels of folders. */
function hashed(hex: string): string {
  return join(hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
}

function contentPath(integrity: string): string {
  const [algorithm, base64] = (integrity.split(" ")[0] ?? "").split("-");
  if (!algorithm || !base64)
    throw new Error(`package-lock.json: an integrity "${integrity}" is not <algorithm>-<base64>`);
  return join("content-v2", algorithm, hashed(Buffer.from(base64, "base64").toString("hex")));
}

function indexPath(url: string): string {
  return join("index-v5", hashed(createHash("sha256").update(`${KEY_PREFIX}${url}`).digest("hex")));
}

/** The index bucket of `url` and the content its lines name, when the cache has them. */
function requestFiles(cache: string, url: string): string[] {
  const bucket = indexPath(url);
  if (!existsSync(join(cache, bucket))) return [];
  const files = [bucket];
  for (const line of readFileSync(join(cache, bucket), "utf8").split("\n")) {
    const json = line.slice(line.indexOf("\t") + 1);
    if (!json) continue;
    const integrity = (JSON.parse(json) as { integrity?: string | null }).integrity;
    if (integrity) files.push(contentPath(integrity));
  }
  return files;
}

/** The files under `cache` (a cacache folder, `_cacache`) that installing `lockFile` offline reads, relative to it. */
export function lockCacheFiles(lockFile: string, cache: string): string[] {
  const lock = JSON.parse(readFileSync(lockFile, "utf8")) as { packages?: Record<string, LockEntry> };
  const files = new Set<string>();
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (!path || entry.link) continue;
    if (entry.integrity) files.add(contentPath(entry.integrity));
    if (entry.integrity && entry.resolved) continue;
    const name = path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
    const packument = `${REGISTRY}/${name.replace("/", "%2f")}`;
    const tarball = entry.resolved ?? `${REGISTRY}/${name}/-/${name.split("/").at(-1)}-${entry.version}.tgz`;
    for (const file of [...requestFiles(cache, packument), ...requestFiles(cache, tarball)]) files.add(file);
  }
  // Other platforms' optional packages are in the lock but not in this machine's cache: npm skips them here too.
  return [...files].filter((file) => existsSync(join(cache, file))).sort();
}
