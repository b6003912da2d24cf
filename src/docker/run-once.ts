/**
 * A one-off container (a deploy hook, issue 4): create, start, wait for its
 * exit, read its output, remove it. A hook that runs past its timeout is
 * killed; either way the container is gone afterwards.
 */
import type { OneOffResult, OneOffSpec } from "../model/index.js";
import { DockhandError } from "../model/index.js";
import type { Engine } from "./connect-engine.js";
import { removeContainer, startContainer } from "./container-ops.js";
import { DOCKER_DEFAULTS } from "./docker-defaults.js";
import { engineCall } from "./engine-call.js";
import { engineError, engineStatus } from "./engine-error.js";
import { readLogs } from "./read-logs.js";
import { envList, hostLimits } from "./run-container.js";

async function create(engine: Engine, spec: OneOffSpec): Promise<string> {
  try {
    const container = await engineCall(engine, `create container ${spec.name}`, (abortSignal) =>
      engine.docker.createContainer({
        name: spec.name,
        Image: spec.image,
        Cmd: spec.command,
        Env: envList(spec.environment),
        Labels: spec.labels,
        HostConfig: hostLimits(spec),
        abortSignal,
      }),
    );
    return container.id;
  } catch (err) {
    const status = err instanceof DockhandError ? engineStatus(err.cause) : undefined;
    if (status !== 404) throw err;
    const message = `host ${engine.host.name} has no image ${spec.image} for ${spec.name}: build, ship or pull it first`;
    throw new DockhandError("DOCKHAND_E_DOCKER", message, { cause: err });
  }
}

/** Resolves with the exit code, or undefined when `timeoutMs` passed first (the container is then killed). */
async function waitForExit(engine: Engine, id: string, timeoutMs: number, signal?: AbortSignal) {
  const deadline = AbortSignal.timeout(timeoutMs);
  const abortSignal = signal ? AbortSignal.any([deadline, signal]) : deadline;
  try {
    const result = (await engine.docker.getContainer(id).wait({ abortSignal })) as { StatusCode?: number };
    return result.StatusCode ?? -1;
  } catch (err) {
    signal?.throwIfAborted();
    if (!deadline.aborted) throw engineError(engine, `wait for container ${id}`, err);
    await engineCall(engine, `kill container ${id}`, () => engine.docker.getContainer(id).kill()).catch(() => {});
    return undefined;
  }
}

export async function runOnce(
  engine: Engine,
  spec: OneOffSpec,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<OneOffResult> {
  const id = await create(engine, spec);
  try {
    await startContainer(engine, id);
    const exitCode = await waitForExit(engine, id, timeoutMs, signal);
    const output = await readLogs(engine, id, DOCKER_DEFAULTS.healthLogLines, false);
    if (exitCode === undefined) {
      const message = `${spec.name} on host ${engine.host.name} did not finish within ${timeoutMs} ms and was killed`;
      throw new DockhandError("DOCKHAND_E_DOCKER", `${message}; last output:\n${output}`);
    }
    return { exitCode, output };
  } finally {
    await removeContainer(engine, id).catch(() => undefined);
  }
}
