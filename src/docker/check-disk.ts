/**
 * Free space on the engine's data root (DockerRootDir). The Engine API reports
 * the root's path but not its free space (/system/df gives usage only), so a
 * one-off container mounts the root read-only and runs `df` on it. When that
 * cannot work (e.g. Docker Desktop keeps the root inside its VM), the check
 * says "unknown" and why, as a warning: a guess would be worse.
 */
import { checkContainerName, checkLabels } from "./check-containers.js";
import type { Engine } from "./connect-engine.js";
import { diskVerdict, parseDf } from "./engine-verdicts.js";
import { type CheckResult, warn } from "./host-check.js";
import { runOnce } from "./run-once.js";

const MOUNTED_AT = "/dockhand-data-root";

export async function checkDisk(
  engine: Engine,
  instance: string,
  image: string,
  dataRoot: string,
  timeoutMs: number,
): Promise<{ result: CheckResult; freeBytes?: number; sizeBytes?: number }> {
  const unknown = (why: string) => ({
    result: warn("disk", `free space on ${dataRoot} unknown: ${why}`, `check it on the host: df -h ${dataRoot}`),
  });
  try {
    const { exitCode, output } = await runOnce(
      engine,
      {
        name: checkContainerName("disk"),
        image,
        command: ["df", "-Pk", MOUNTED_AT],
        environment: {},
        labels: checkLabels(instance, "disk"),
        mounts: [{ kind: "bind", source: dataRoot, target: MOUNTED_AT, readOnly: true }],
      },
      timeoutMs,
    );
    const sizes = exitCode === 0 ? parseDf(output) : undefined;
    if (!sizes) return unknown(`df exited ${exitCode}: ${output.trim() || "(no output)"}`);
    return { result: diskVerdict(dataRoot, sizes.freeBytes, sizes.sizeBytes), ...sizes };
  } catch (err) {
    return unknown(err instanceof Error ? err.message : String(err));
  }
}
