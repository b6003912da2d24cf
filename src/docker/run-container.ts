/**
 * Create and start one managed container, publishing its port on the host's
 * bind address (on the spec's fixed `hostPort`, else on a free port the engine
 * picks), and read that port back. A container without a port publishes nothing.
 */
import type Docker from "dockerode";
import type { ContainerMount, ContainerSpec, StartedContainer } from "../model/index.js";
import { DockhandError } from "../model/index.js";
import type { Engine } from "./connect-engine.js";
import { deathOf, healthFailure } from "./container-failure.js";
import { inspectContainer, publishedHostPort, removeContainer, startContainer } from "./container-ops.js";
import { engineCall } from "./engine-call.js";
import { engineStatus } from "./engine-error.js";

function createOptions(spec: ContainerSpec, bind: string): Docker.ContainerCreateOptions {
  return {
    name: spec.name,
    Image: spec.image,
    Env: envList(spec.environment),
    Labels: spec.labels,
    ...(spec.command ? { Cmd: spec.command } : {}),
    ...(spec.stopTimeoutSeconds !== undefined ? { StopTimeout: spec.stopTimeoutSeconds } : {}),
    ...(spec.port !== undefined ? { ExposedPorts: { [`${spec.port}/tcp`]: {} } } : {}),
    HostConfig: {
      ...publishing(spec, bind),
      RestartPolicy: { Name: "unless-stopped" },
      ...hostLimits(spec),
    },
  };
}

/**
 * One interface, never the engine's default (every interface unless dockerd --ip): a port on
 * 0.0.0.0 is reachable around the proxy, and Docker's own iptables rules bypass the host's
 * firewall. An empty HostPort lets the engine choose a free port (docs/operations.md#published-ports).
 */
function publishing(spec: ContainerSpec, bind: string): Docker.HostConfig {
  if (spec.port === undefined) return {};
  const HostPort = spec.hostPort === undefined ? "" : String(spec.hostPort);
  return { PortBindings: { [`${spec.port}/tcp`]: [{ HostIp: bind, HostPort }] } };
}

export function envList(environment: Record<string, string>): string[] {
  return Object.entries(environment).map(([key, value]) => `${key}=${value}`);
}

/** Resources and mounts, shared by slots and one-off containers. */
export function hostLimits(spec: Pick<ContainerSpec, "resources" | "mounts">): Docker.HostConfig {
  const { memoryBytes, cpus } = spec.resources ?? {};
  return {
    ...(memoryBytes !== undefined ? { Memory: memoryBytes } : {}),
    ...(cpus !== undefined ? { NanoCpus: Math.round(cpus * 1e9) } : {}),
    ...(spec.mounts?.length ? { Mounts: spec.mounts.map(toMount) } : {}),
  };
}

function toMount(mount: ContainerMount): Docker.MountSettings {
  if (mount.kind === "bind") return { Type: "bind", Source: mount.source, Target: mount.target, ReadOnly: true };
  return {
    Type: "volume",
    Source: mount.source,
    Target: mount.target,
    ReadOnly: mount.readOnly,
    // The engine takes any subset; the typings want every member.
    VolumeOptions: { Labels: mount.labels } as Docker.MountSettings["VolumeOptions"],
  };
}

async function create(engine: Engine, spec: ContainerSpec): Promise<Docker.Container> {
  const host = engine.host.name;
  try {
    return await engineCall(engine, `create container ${spec.name}`, (abortSignal) =>
      engine.docker.createContainer({ ...createOptions(spec, engine.host.bind), abortSignal }),
    );
  } catch (err) {
    const status = err instanceof DockhandError ? engineStatus(err.cause) : undefined;
    if (status === 409) {
      const message = `host ${host} already has a container named ${spec.name}: remove it before running a new one`;
      throw new DockhandError("DOCKHAND_E_DOCKER", message, { cause: err });
    }
    if (status === 404) {
      const message = `host ${host} has no image ${spec.image} for container ${spec.name}: build, ship or pull it first`;
      throw new DockhandError("DOCKHAND_E_DOCKER", message, { cause: err });
    }
    throw err;
  }
}

/**
 * Start the created container and read its port. A container that is already
 * gone again (crashed at boot) has no published port: that is reported like a
 * health failure, with its logs, rather than as a missing port.
 */
async function startAndReadPort(engine: Engine, id: string, spec: ContainerSpec): Promise<number | undefined> {
  await startContainer(engine, id).catch((err: unknown) => {
    throw portTaken(engine, spec, err) ?? err;
  });
  const info = await inspectContainer(engine, id);
  const death = deathOf(info);
  if (spec.port === undefined) {
    if (death !== undefined) throw await healthFailure(engine, info, `${death} right after it started`, "start");
    return undefined;
  }
  const hostPort = publishedHostPort(info, spec.port);
  if (hostPort !== undefined) return hostPort;
  if (death !== undefined) throw await healthFailure(engine, info, `${death} right after it started`, "start");
  const message = `host ${engine.host.name}: container ${spec.name} started but port ${spec.port}/tcp is not published`;
  throw new DockhandError("DOCKHAND_E_DOCKER", message);
}

/** A fixed host port something else already listens on: say which, and where the fix goes. */
function portTaken(engine: Engine, spec: ContainerSpec, err: unknown): DockhandError | undefined {
  if (spec.hostPort === undefined || !/port is already allocated|address already in use/i.test(String(err))) {
    return undefined;
  }
  const where = `${engine.host.bind}:${spec.hostPort}`;
  const message = `host ${engine.host.name}: cannot start ${spec.name}: ${where} is already in use (its app's hostPort); stop what listens there or choose another hostPort`;
  return new DockhandError("DOCKHAND_E_DOCKER", message, { cause: err });
}

export async function runContainer(engine: Engine, spec: ContainerSpec): Promise<StartedContainer> {
  const container = await create(engine, spec);
  try {
    const hostPort = await startAndReadPort(engine, container.id, spec);
    return {
      id: container.id,
      name: spec.name,
      host: engine.host.name,
      ...(hostPort !== undefined ? { hostPort } : {}),
    };
  } catch (err) {
    // Nobody else knows its id: left behind, it would block the name for the next attempt.
    await removeContainer(engine, container.id).catch(() => undefined);
    throw err;
  }
}
