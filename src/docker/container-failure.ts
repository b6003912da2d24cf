/**
 * A new container that died or never got healthy: say why, and attach its
 * last log lines, because that is what a person needs to see next.
 */
import type Docker from "dockerode";
import { LABELS, RolloutError } from "../model/index.js";
import type { Engine } from "./connect-engine.js";
import { DOCKER_DEFAULTS } from "./docker-defaults.js";
import { readLogs } from "./read-logs.js";

/** Why the container can no longer become healthy, if it cannot. */
export function deathOf(info: Docker.ContainerInspectInfo): string | undefined {
  const state = info.State;
  const oom = state.OOMKilled ? " (killed: out of memory)" : "";
  const error = state.Error ? `: ${state.Error}` : "";
  // With restart policy unless-stopped, a crashed container shows as restarting rather than exited.
  if (state.Restarting) return `it is restarting after exiting with code ${state.ExitCode}${oom}`;
  if (state.Running && !state.Paused) return undefined;
  if (state.Status === "exited" || state.Status === "dead")
    return `it exited with code ${state.ExitCode}${oom}${error}`;
  return `it is ${state.Status}, not running`;
}

/** The image HEALTHCHECK's own log (the engine keeps the last five results), one line per check. */
function healthcheckLog(info: Docker.ContainerInspectInfo): string {
  const entries = info.State.Health?.Log ?? [];
  return entries
    .map((e) => `${e.Start} exit ${e.ExitCode}: ${e.Output.trim().replace(/\s*\n\s*/g, " | ") || "(no output)"}`)
    .join("\n");
}

export async function healthFailure(
  engine: Engine,
  info: Docker.ContainerInspectInfo,
  why: string,
  step: "start" | "waitHealthy",
  probeLog?: string,
): Promise<RolloutError> {
  const name = info.Name.replace(/^\//, "");
  const app = info.Config.Labels?.[LABELS.app] ?? name;
  const logsTail = await readLogs(engine, info.Id, DOCKER_DEFAULTS.healthLogLines, info.Config.Tty).catch(
    (err: unknown) => `(logs unavailable: ${err instanceof Error ? err.message : String(err)})`,
  );
  const message = `container ${name} on host ${engine.host.name} did not become healthy: ${why}`;
  const healthLog = healthcheckLog(info) || probeLog || "";
  return new RolloutError("DOCKHAND_E_HEALTH", message, { app, step, logsTail, healthLog });
}
