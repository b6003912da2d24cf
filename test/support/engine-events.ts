/**
 * Watches an engine's container events (`docker events`) for one app of one
 * instance and counts its running containers as they start and die: the
 * witness that a rollout never ran two at once.
 */
import type Docker from "dockerode";

export interface RunningWatch {
  /** Stops watching; the most that ran at once, and each start and die in order (`start <id12>`). */
  stop(): { maxRunning: number; log: string[] };
}

export async function watchRunning(
  engine: Docker,
  of: { instance: string; app: string },
  runningNow: string[],
): Promise<RunningWatch> {
  const filters = {
    type: ["container" as const],
    event: ["start", "die"],
    label: [`dockhand.instance=${of.instance}`, `dockhand.app=${of.app}`],
  };
  const stream = (await engine.getEvents({ filters })) as NodeJS.ReadableStream & { destroy(): void };

  const running = new Set(runningNow.filter((id) => id !== ""));
  let maxRunning = running.size;
  const log: string[] = [];
  let buffer = "";
  stream.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines.filter((l) => l.trim() !== "")) {
      const event = JSON.parse(line) as { Action?: string; id?: string };
      const id = event.id ?? "";
      if (event.Action === "start") running.add(id);
      if (event.Action === "die") running.delete(id);
      maxRunning = Math.max(maxRunning, running.size);
      log.push(`${event.Action} ${id.slice(0, 12)}`);
    }
  });
  stream.on("error", () => undefined);
  return {
    stop() {
      stream.destroy();
      return { maxRunning, log };
    },
  };
}
