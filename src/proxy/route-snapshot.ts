/**
 * The route table on local disk, so a proxy can serve its last known routes
 * when it starts before Redis is reachable (issue 5, "Route table").
 * Written atomically: a reader sees the old file or the new one, never half.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { RouteTable } from "../model/index.js";
import { decodeRouteTable } from "./route-codec.js";

export async function writeRouteSnapshot(file: string, table: RouteTable): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(temp, "w", 0o644);
  try {
    await handle.writeFile(`${JSON.stringify(table, null, 2)}\n`);
    // Flushed before the rename, so a crash cannot leave a renamed but empty file.
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** The snapshot, or undefined when there is none yet; a damaged file throws (DOCKHAND_E_PROXY). */
export async function readRouteSnapshot(file: string): Promise<RouteTable | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return decodeRouteTable(`snapshot ${file}`, text);
}
