import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Replaces the `## <heading>` section of docs/benchmarks.md with `text` (or
 * appends it), leaving every other benchmark's section as it was. Returns the file.
 */
export function writeBenchmarkSection(heading: string, text: string): string {
  const file = fileURLToPath(new URL("../docs/benchmarks.md", import.meta.url));
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n\n";
  const escaped = heading.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const start = current.search(new RegExp(`^## ${escaped}\\s*$`, "m"));
  let next: string;
  if (start < 0) next = `${current.trimEnd()}\n\n${text}`;
  else {
    const rest = current.slice(start + 1);
    const end = rest.search(/^## /m);
    next = current.slice(0, start) + text + (end < 0 ? "" : `\n${rest.slice(end)}`);
  }
  writeFileSync(file, `${next.trimEnd()}\n`);
  return file;
}
