/**
 * `dockhand hosts check [--repo] [--json] [--timeout 10s]`: every host of
 * dockhand.yaml, in parallel, each within the timeout (docs/operations.md#checking-the-hosts).
 * Exit 1 when any host fails a check. `dockhand serve` logs the same at start-up.
 */
import type { Logger } from "pino";
import { parseDuration } from "../config/index.js";
import { checkHosts, DOCKER_DEFAULTS, type HostCheck } from "../docker/index.js";
import { DockhandError, type HostSpec } from "../model/index.js";
import { out, useColor } from "./cli-io.js";
import type { DockhandEnv } from "./env.js";
import { loadDesired, type RepoFlags } from "./load-state.js";
import { renderHostsCheck } from "./render-hosts-check.js";

export interface HostsCheckFlags extends RepoFlags {
  json?: boolean;
  timeout?: string;
}

function timeoutOf(text: string | undefined): number {
  if (text === undefined) return DOCKER_DEFAULTS.hostCheckTimeoutMs;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new DockhandError("DOCKHAND_E_USAGE", `--timeout "${text}": expected a duration like 10s, 30s or 1m`);
  }
  return ms;
}

export async function commandHostsCheck(env: DockhandEnv, flags: HostsCheckFlags): Promise<number> {
  const timeoutMs = timeoutOf(flags.timeout);
  const { desired } = await loadDesired(env, flags);
  const hosts = await checkHosts(desired.hosts, { instance: env.instance, timeoutMs });
  out(flags.json ? JSON.stringify(hosts, null, 2) : renderHostsCheck(hosts, { color: useColor() }));
  return hosts.every((h) => h.ok) ? 0 : 1;
}

function logOne(log: Logger, host: HostCheck): void {
  const problems = host.checks
    .filter((c) => c.status === "fail" || c.status === "warn")
    .map(({ check, status, detail, fix }) => ({ check, status, detail, fix }));
  const fields = { host: host.host, endpoint: host.endpoint, durationMs: host.durationMs, facts: host.facts };
  if (!host.ok) log.warn({ ...fields, problems }, "host check failed");
  else log.info({ ...fields, ...(problems.length > 0 ? { problems } : {}) }, "host check passed");
}

/**
 * The start-up check of `dockhand serve`: logged per host, never thrown, so a
 * host that is down at start-up delays nothing (its syncs report it anyway).
 */
export async function logHostsCheck(hosts: HostSpec[], env: DockhandEnv, log: Logger): Promise<void> {
  try {
    for (const host of await checkHosts(hosts, { instance: env.instance })) logOne(log, host);
  } catch (err) {
    log.warn({ err: err instanceof Error ? err.message : String(err) }, "host check could not run");
  }
}
