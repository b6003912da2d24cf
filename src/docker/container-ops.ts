/**
 * Small container calls: inspect, start, stop, remove and the published port.
 * The idempotent ones treat "already so" answers (304, 404 on remove) as done.
 */
import type Docker from "dockerode";
import { DockhandError } from "../model/index.js";
import type { Engine } from "./connect-engine.js";
import { DOCKER_DEFAULTS } from "./docker-defaults.js";
import { engineCall } from "./engine-call.js";
import { engineStatus } from "./engine-error.js";

function statusOf(err: unknown): number | undefined {
  return err instanceof DockhandError ? engineStatus(err.cause) : undefined;
}

function noSuchContainer(engine: Engine, id: string, cause: unknown): DockhandError {
  return new DockhandError("DOCKHAND_E_DOCKER", `host ${engine.host.name} has no container ${id}`, { cause });
}

export async function inspectContainer(engine: Engine, id: string): Promise<Docker.ContainerInspectInfo> {
  try {
    return await engineCall(engine, `inspect container ${id}`, (abortSignal) =>
      engine.docker.getContainer(id).inspect({ abortSignal }),
    );
  } catch (err) {
    throw statusOf(err) === 404 ? noSuchContainer(engine, id, err) : err;
  }
}

/** The host port publishing `port/tcp`, from an inspect; undefined when not published (e.g. stopped). */
export function publishedHostPort(info: Docker.ContainerInspectInfo, port: number): number | undefined {
  const bindings = info.NetworkSettings?.Ports?.[`${port}/tcp`] ?? [];
  const hostPort = Number(bindings.find((b) => b.HostPort)?.HostPort);
  return Number.isInteger(hostPort) && hostPort > 0 ? hostPort : undefined;
}

export async function startContainer(engine: Engine, id: string): Promise<void> {
  try {
    await engineCall(engine, `start container ${id}`, (abortSignal) =>
      engine.docker.getContainer(id).start({ abortSignal }),
    );
  } catch (err) {
    const status = statusOf(err);
    if (status === 304) return;
    throw status === 404 ? noSuchContainer(engine, id, err) : err;
  }
}

/**
 * Stop with `timeoutSeconds` between SIGTERM and SIGKILL, or, without it, the
 * container's own stop timeout (set from its app's `stopTimeout` when it was
 * created): an old version is stopped with the grace its own spec asked for.
 */
export async function stopContainer(engine: Engine, id: string, timeoutSeconds?: number): Promise<void> {
  const grace = timeoutSeconds ?? (await ownStopTimeout(engine, id));
  // The engine answers only once the container is down, which may take the whole grace period.
  const deadline = grace * 1000 + DOCKER_DEFAULTS.requestTimeoutMs;
  try {
    await engineCall(
      engine,
      `stop container ${id}`,
      (abortSignal) => engine.docker.getContainer(id).stop({ t: grace, abortSignal }),
      deadline,
    );
  } catch (err) {
    const status = statusOf(err);
    if (status === 304) return;
    throw status === 404 ? noSuchContainer(engine, id, err) : err;
  }
}

/** Config.StopTimeout (the typings leave it out), else the engine's default. */
async function ownStopTimeout(engine: Engine, id: string): Promise<number> {
  const { Config } = await inspectContainer(engine, id);
  return (Config as { StopTimeout?: number } | undefined)?.StopTimeout ?? DOCKER_DEFAULTS.stopTimeoutSeconds;
}

export async function removeContainer(engine: Engine, id: string): Promise<void> {
  try {
    await engineCall(engine, `remove container ${id}`, () => engine.docker.getContainer(id).remove({ force: true }));
  } catch (err) {
    const status = statusOf(err);
    // 404: already gone. 409: the engine is already removing it.
    if (status === 404 || (status === 409 && /already in progress/i.test(String(err)))) return;
    throw err;
  }
}

export async function renameContainer(engine: Engine, id: string, name: string): Promise<void> {
  try {
    await engineCall(engine, `rename container ${id} to ${name}`, (abortSignal) =>
      engine.docker.getContainer(id).rename({ name, abortSignal }),
    );
  } catch (err) {
    throw statusOf(err) === 404 ? noSuchContainer(engine, id, err) : err;
  }
}
