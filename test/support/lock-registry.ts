/**
 * An npm registry that knows exactly the packages of a package-lock.json, for
 * installing this package as a user would (`npm install -g dockhand`: npm
 * resolves every dependency's range against the registry) on a machine with
 * no network. It serves each package's metadata (a packument with the locked
 * versions) and no tarballs: each version carries its lock integrity, so npm
 * takes the tarball from its own cache, where `npm ci` left it. A tarball
 * missing from the cache is fetched from registry.npmjs.org, as npm would.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

interface LockEntry {
  name?: string;
  version?: string;
  integrity?: string;
  link?: boolean;
  [field: string]: unknown;
}

/** The fields of a lock entry a packument's version carries (https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md). */
const MANIFEST_FIELDS = [
  "dependencies",
  "optionalDependencies",
  "peerDependencies",
  "peerDependenciesMeta",
  "bin",
  "engines",
  "os",
  "cpu",
  "libc",
  "hasInstallScript",
] as const;

const PUBLIC_REGISTRY = "https://registry.npmjs.org";

export type Packuments = Map<string, { name: string; "dist-tags": { latest: string }; versions: object }>;

/** Every registry package of the lock, by name, with each version the lock holds. */
export function packumentsOf(lockFile: string): Packuments {
  const lock = JSON.parse(readFileSync(lockFile, "utf8")) as { packages: Record<string, LockEntry> };
  const versions = new Map<string, Map<string, object>>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    // The root project, and links to directories, are not in a registry.
    if (path === "" || entry.link || !entry.version || !entry.integrity) continue;
    const name = entry.name ?? path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
    const manifest: Record<string, unknown> = { name, version: entry.version };
    for (const field of MANIFEST_FIELDS) if (entry[field] !== undefined) manifest[field] = entry[field];
    const file = `${name.slice(name.indexOf("/") + 1)}-${entry.version}.tgz`;
    manifest.dist = { integrity: entry.integrity, tarball: `${PUBLIC_REGISTRY}/${name}/-/${file}` };
    const byVersion = versions.get(name) ?? new Map<string, object>();
    byVersion.set(entry.version, manifest);
    versions.set(name, byVersion);
  }
  const packuments: Packuments = new Map();
  for (const [name, byVersion] of versions) {
    const latest = [...byVersion.keys()].sort(compareVersions).at(-1) ?? "";
    packuments.set(name, { name, "dist-tags": { latest }, versions: Object.fromEntries(byVersion) });
  }
  return packuments;
}

/** Orders plain x.y.z versions (a prerelease sorts before its release); enough to name `latest`. */
function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[.-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const [x, y] = [pa[i], pb[i]];
    if (x === y) continue;
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

export interface LockRegistry {
  url: string;
  close(): Promise<void>;
}

export async function startLockRegistry(lockFile: string): Promise<LockRegistry> {
  const packuments = packumentsOf(lockFile);
  const server: Server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? "/", "http://registry").pathname.slice(1));
    const packument = packuments.get(name);
    // no-store: npm keeps nothing of this registry in its cache, whose tarballs it reads by integrity.
    const headers = { "content-type": "application/json", "cache-control": "no-store" };
    // A name the lock lacks is one npm may ask for and do without (an optional peer dependency).
    if (req.method !== "GET" || !packument) {
      res.writeHead(404, headers).end(JSON.stringify({ error: "Not found" }));
      return;
    }
    res.writeHead(200, headers).end(JSON.stringify(packument));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
