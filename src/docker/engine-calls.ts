/**
 * The engine-wide reads of the host check (ping, version, info), with the
 * abort signal dockerode passes on but its typings leave out.
 */
import type Docker from "dockerode";
import type { Engine } from "./connect-engine.js";
import { engineCall } from "./engine-call.js";

type WithSignal<T> = (options: { abortSignal: AbortSignal }) => Promise<T>;

/** The part of GET /info the host check reads. */
export interface EngineInfo {
  Driver?: string;
  DriverStatus?: Array<[string, string]>;
  DockerRootDir?: string;
  /** RFC 3339 with nanoseconds, in the engine's clock. */
  SystemTime?: string;
}

export function pingEngine(engine: Engine, timeoutMs: number): Promise<unknown> {
  const ping = engine.docker.ping.bind(engine.docker) as unknown as WithSignal<unknown>;
  return engineCall(engine, "ping", (abortSignal) => ping({ abortSignal }), timeoutMs);
}

export function readEngineVersion(engine: Engine, timeoutMs: number): Promise<Docker.DockerVersion> {
  const version = engine.docker.version.bind(engine.docker) as unknown as WithSignal<Docker.DockerVersion>;
  return engineCall(engine, "read engine version", (abortSignal) => version({ abortSignal }), timeoutMs);
}

export function readEngineInfo(engine: Engine, timeoutMs: number): Promise<EngineInfo> {
  const info = engine.docker.info.bind(engine.docker) as unknown as WithSignal<EngineInfo>;
  return engineCall(engine, "read engine info", (abortSignal) => info({ abortSignal }), timeoutMs);
}
