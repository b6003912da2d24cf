/**
 * Host binaries for offline images: each binary and every shared library it
 * loads, as `ldd` names them, so a build context can carry their content onto
 * busybox:stable (TESTBED.md: `cp --parents -L`).
 */
import { execFileSync } from "node:child_process";

/** The binaries and their libraries, as absolute paths, sorted. */
export function withLibraries(binaries: string[]): string[] {
  const files = new Set(binaries);
  for (const binary of binaries) {
    const listed = execFileSync("ldd", [binary], { encoding: "utf8" });
    for (const match of listed.matchAll(/(\/\S+) \(0x[0-9a-f]+\)/g)) if (match[1]) files.add(match[1]);
  }
  return [...files].sort();
}
