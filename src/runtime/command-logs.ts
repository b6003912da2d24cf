/**
 * `dockhand logs <app> [--env production] [-f] [--since 10m] [--tail 100]`:
 * the merged logs of an app's containers on every host, each line prefixed
 * `host/slot`. Without -f the lines are merged in the order the engines
 * recorded them; with -f they are printed as they arrive, until Ctrl-C or
 * until every container stopped (a rollout replaces them: run it again).
 */
import { parseDuration } from "../config/index.js";
import { createDockerHosts } from "../docker/index.js";
import { DockhandError, type LogLine, type ObservedContainer } from "../model/index.js";
import { err, useColor } from "./cli-io.js";
import type { DockhandEnv } from "./env.js";
import { loadDesired, type RepoFlags } from "./load-state.js";

export interface LogsFlags extends RepoFlags {
  env?: string;
  follow?: boolean;
  since?: string;
  tail?: string;
}

/** Lines shown per container when neither --since nor --tail says otherwise. */
export const DEFAULT_TAIL = 100;
const PALETTE = [36, 35, 33, 32, 34, 31];

export async function commandLogs(env: DockhandEnv, app: string, flags: LogsFlags): Promise<number> {
  const envName = flags.env ?? "production";
  const since = parseSince(flags.since);
  const tail = parseTail(flags.tail, since);
  const { desired } = await loadDesired(env, flags);
  const docker = createDockerHosts(desired.hosts);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const containers = await findContainers(docker, env.instance, app, envName);
    const color = useColor();
    const prefixOf = (c: ObservedContainer, i: number) => {
      const text = `${c.host}/${c.slot}`;
      return color ? `\x1b[${PALETTE[i % PALETTE.length]}m${text}\x1b[0m` : text;
    };
    const width = Math.max(...containers.map((c) => `${c.host}/${c.slot}`.length));
    const print = (prefix: string, plain: string, line: LogLine) =>
      process.stdout.write(`${prefix}${" ".repeat(width - plain.length)} | ${line.text}\n`);
    const options = { follow: flags.follow === true, since, tail, signal: stop.signal };
    if (flags.follow) {
      await Promise.all(
        containers.map((c, i) =>
          docker.streamLogs(c.host, c.id, options, (line) => print(prefixOf(c, i), `${c.host}/${c.slot}`, line)),
        ),
      );
      return 0;
    }
    const lines: Array<{ line: LogLine; index: number; order: number }> = [];
    await Promise.all(
      containers.map((c, index) =>
        docker.streamLogs(c.host, c.id, options, (line) => lines.push({ line, index, order: lines.length })),
      ),
    );
    lines.sort((a, b) => a.line.time - b.line.time || a.order - b.order);
    for (const { line, index } of lines) {
      const c = containers[index] as ObservedContainer;
      print(prefixOf(c, index), `${c.host}/${c.slot}`, line);
    }
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await docker.close();
  }
}

async function findContainers(
  docker: ReturnType<typeof createDockerHosts>,
  instance: string,
  app: string,
  envName: string,
): Promise<ObservedContainer[]> {
  const observed = await docker.observe(instance);
  for (const host of observed.hosts) {
    if (!host.reachable) err(`warning: host ${host.name} is unreachable; its containers are left out: ${host.error}`);
  }
  const all = observed.hosts.flatMap((h) => h.containers).filter((c) => c.retiredAt === undefined);
  const mine = all.filter((c) => c.app === app && c.env === envName);
  // Running containers are the app; stopped ones only when nothing runs (why did it stop?).
  const running = mine.filter((c) => c.state === "running");
  const chosen = (running.length > 0 ? running : mine).sort((a, b) => a.slot - b.slot || a.host.localeCompare(b.host));
  if (chosen.length === 0) {
    const known = [...new Set(all.filter((c) => c.env === envName).map((c) => c.app))].sort();
    throw new DockhandError(
      "DOCKHAND_E_USAGE",
      `no containers of app "${app}" in environment ${envName}; apps with containers there: ${known.join(", ") || "none"}`,
    );
  }
  return chosen;
}

/** `--since 10m` (a duration: that long ago) or an ISO date; epoch ms. */
export function parseSince(text: string | undefined, now = Date.now()): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms !== undefined) return now - ms;
  const at = Date.parse(text);
  if (!Number.isNaN(at) && /^\d{4}-\d{2}-\d{2}/.test(text)) return at;
  throw new DockhandError(
    "DOCKHAND_E_USAGE",
    `--since "${text}": expected a duration like 10m, 1h30m, 45s, or a date like 2024-05-01T10:00:00Z`,
  );
}

function parseTail(text: string | undefined, since: number | undefined): number | undefined {
  if (text === undefined) return since === undefined ? DEFAULT_TAIL : undefined;
  if (text === "all") return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    throw new DockhandError("DOCKHAND_E_USAGE", `--tail "${text}": expected a number of lines, or all`);
  }
  return n;
}
