import type { HostSpec } from "../model/index.js";
import { type CheckHostOptions, checkHost } from "./check-host.js";
import { connectEngine, type Engine } from "./connect-engine.js";
import { DOCKER_DEFAULTS } from "./docker-defaults.js";
import { fail, HOST_CHECKS, type HostCheck, skip } from "./host-check.js";

export interface CheckHostsOptions extends Partial<CheckHostOptions> {
  instance: string;
  /** What `docker: local` reads (DOCKER_HOST, ...). Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

/** A host whose spec cannot work (bad endpoint, unreadable TLS file) fails `reachable` with connectEngine's words. */
function notConnected(host: HostSpec, err: unknown): HostCheck {
  const why = err instanceof Error ? err.message : String(err);
  const checks = HOST_CHECKS.map((name) =>
    name === "reachable"
      ? fail(name, why, `fix hosts.${host.name} in dockhand.yaml as the message says`)
      : skip(name, "not checked: the engine is not reachable"),
  );
  return {
    host: host.name,
    endpoint: host.docker,
    ok: false,
    durationMs: 0,
    facts: { transport: host.docker.split("://")[0] ?? host.docker, capacity: host.capacity },
    checks,
  };
}

/** Every host at once, each within `timeoutMs`; results in the order of `hosts`. Never throws for a host. */
export async function checkHosts(hosts: HostSpec[], options: CheckHostsOptions): Promise<HostCheck[]> {
  const engines: Engine[] = [];
  const one = async (host: HostSpec): Promise<HostCheck> => {
    let engine: Engine;
    try {
      engine = connectEngine(host, options.env ?? process.env);
    } catch (err) {
      return notConnected(host, err);
    }
    engines.push(engine);
    return checkHost(engine, {
      instance: options.instance,
      timeoutMs: options.timeoutMs ?? DOCKER_DEFAULTS.hostCheckTimeoutMs,
      ...(options.image ? { image: options.image } : {}),
    });
  };
  try {
    return await Promise.all(hosts.map(one));
  } finally {
    for (const engine of engines) engine.agent.destroy();
  }
}
