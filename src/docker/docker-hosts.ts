/**
 * DockerHosts: the one choke point between dockhand and its Docker engines
 * (the DockerPort of src/model/ports.ts). Every call names its host; every
 * failure comes back as a DockhandError that names the host too.
 */
import type { Readable } from "node:stream";
import type {
  BuildOptions,
  ContainerSpec,
  ContainerStarts,
  DockerPort,
  HealthSpec,
  HostSpec,
  LineSink,
  LogLine,
  LogStreamOptions,
  ObservedHost,
  ObservedState,
  ObserveOptions,
  OneOffResult,
  OneOffSpec,
  StartedContainer,
} from "../model/index.js";
import { DockhandError } from "../model/index.js";
import { buildImage } from "./build-image.js";
import { connectEngine, type Engine } from "./connect-engine.js";
import {
  inspectContainer,
  publishedHostPort,
  removeContainer,
  renameContainer,
  startContainer,
  stopContainer,
} from "./container-ops.js";
import { DOCKER_DEFAULTS } from "./docker-defaults.js";
import { imageExists } from "./image-exists.js";
import { observeHost } from "./observe-host.js";
import { readLogs } from "./read-logs.js";
import { registryAuthFor } from "./registry-auth.js";
import { pullImage, pushImage } from "./registry-transfer.js";
import { runContainer } from "./run-container.js";
import { runOnce } from "./run-once.js";
import { setAsideSameEngines } from "./same-engine.js";
import { shipImage } from "./ship-image.js";
import { streamLogs } from "./stream-logs.js";
import { waitHealthy } from "./wait-healthy.js";

export interface DockerHostsOptions {
  /**
   * Where the adapter's own notes go (e.g. a managed container ignored for bad labels). Default: dropped, except
   * the SSH host keys added under DOCKHAND_SSH_ACCEPT_NEW, which go to stderr: that must never pass unseen.
   */
  log?: LineSink;
  /**
   * Environment that `docker: local` reads (DOCKER_HOST, DOCKER_CERT_PATH, DOCKER_TLS_VERIFY), and where registry
   * credentials are found (DOCKHAND_REGISTRY_AUTH, else DOCKER_CONFIG, else HOME; see registry-auth.ts), and what
   * `ssh://` hosts log in with (SSH_AUTH_SOCK, DOCKHAND_SSH_*; see ssh-connection.ts). Default: process.env.
   */
  env?: NodeJS.ProcessEnv;
  /** Longest wait for one host in `observe`. Default: DOCKER_DEFAULTS.observeTimeoutMs (10 s). */
  observeTimeoutMs?: number;
}

/** A host whose spec cannot work (unreadable TLS file, bad endpoint) keeps its error, reported on every use. */
type HostSlot = { host: HostSpec; engine: Engine } | { host: HostSpec; failure: DockhandError };

function connectSlot(host: HostSpec, env: NodeJS.ProcessEnv, log: LineSink | undefined): HostSlot {
  try {
    return { host, engine: connectEngine(host, env, log) };
  } catch (err) {
    const failure = err instanceof DockhandError ? err : new DockhandError("DOCKHAND_E_HOST_UNREACHABLE", String(err));
    return { host, failure };
  }
}

export class DockerHosts implements DockerPort {
  private readonly slots = new Map<string, HostSlot>();
  private readonly log: LineSink;
  private readonly observeTimeoutMs: number;
  private readonly env: NodeJS.ProcessEnv;
  private closed = false;

  constructor(hosts: HostSpec[], options: DockerHostsOptions = {}) {
    this.log = options.log ?? (() => undefined);
    this.observeTimeoutMs = options.observeTimeoutMs ?? DOCKER_DEFAULTS.observeTimeoutMs;
    this.env = options.env ?? process.env;
    for (const host of hosts) {
      if (this.slots.has(host.name)) throw new DockhandError("DOCKHAND_E_USAGE", `host ${host.name} is listed twice`);
      this.slots.set(host.name, connectSlot(host, this.env, options.log));
    }
  }

  private engine(name: string): Engine {
    if (this.closed)
      throw new DockhandError("DOCKHAND_E_USAGE", `cannot use host ${name}: the Docker hosts were closed`);
    const slot = this.slots.get(name);
    if (!slot) {
      const known = [...this.slots.keys()].join(", ") || "none";
      throw new DockhandError("DOCKHAND_E_USAGE", `unknown host "${name}"; the known hosts are: ${known}`);
    }
    if ("failure" in slot) throw slot.failure;
    return slot.engine;
  }

  async observe(instance: string, options: ObserveOptions = {}): Promise<ObservedState> {
    const observeOne = (slot: HostSlot): Promise<ObservedHost> => {
      if ("failure" in slot) {
        return Promise.resolve({
          name: slot.host.name,
          reachable: false,
          error: slot.failure.message,
          containers: [],
          images: [],
        });
      }
      return observeHost(slot.engine, instance, this.observeTimeoutMs, this.log);
    };
    if (this.closed) throw new DockhandError("DOCKHAND_E_USAGE", "cannot observe: the Docker hosts were closed");
    const hosts = await Promise.all([...this.slots.values()].map(observeOne));
    return { hosts: setAsideSameEngines(hosts, new Set(options.dropped)) };
  }

  async hasImage(host: string, image: string): Promise<boolean> {
    return await imageExists(this.engine(host), image);
  }

  async build(
    host: string,
    image: string,
    context: Readable,
    dockerfile: string,
    log: LineSink,
    options?: BuildOptions,
  ): Promise<void> {
    return buildImage(this.engine(host), image, context, dockerfile, log, options);
  }

  async ship(image: string, from: string, to: string): Promise<void> {
    return shipImage(image, this.engine(from), this.engine(to));
  }

  async pull(host: string, image: string, log: LineSink): Promise<void> {
    const engine = this.engine(host);
    return pullImage(engine, image, await registryAuthFor(image, this.env), log);
  }

  async push(host: string, image: string, log: LineSink): Promise<void> {
    const engine = this.engine(host);
    return pushImage(engine, image, await registryAuthFor(image, this.env), log);
  }

  async run(host: string, spec: ContainerSpec): Promise<StartedContainer> {
    return runContainer(this.engine(host), spec);
  }

  async waitHealthy(
    host: string,
    id: string,
    port: number | undefined,
    health: HealthSpec,
    signal?: AbortSignal,
  ): Promise<void> {
    return waitHealthy(this.engine(host), id, port, health, signal);
  }

  async start(host: string, id: string): Promise<void> {
    return startContainer(this.engine(host), id);
  }

  async stop(host: string, id: string, timeoutSeconds?: number): Promise<void> {
    return stopContainer(this.engine(host), id, timeoutSeconds);
  }

  async remove(host: string, id: string): Promise<void> {
    return removeContainer(this.engine(host), id);
  }

  async logsTail(host: string, id: string, lines: number): Promise<string> {
    return readLogs(this.engine(host), id, lines);
  }

  async streamLogs(
    host: string,
    id: string,
    options: LogStreamOptions,
    onLine: (line: LogLine) => void,
  ): Promise<void> {
    return streamLogs(this.engine(host), id, options, onLine);
  }

  async hostPort(host: string, id: string, port: number): Promise<number | undefined> {
    return publishedHostPort(await inspectContainer(this.engine(host), id), port);
  }

  async started(host: string, id: string): Promise<ContainerStarts> {
    const info = await inspectContainer(this.engine(host), id);
    return { startedAt: Date.parse(info.State.StartedAt), restarts: info.RestartCount };
  }

  async rename(host: string, id: string, name: string): Promise<void> {
    return renameContainer(this.engine(host), id, name);
  }

  async runOnce(host: string, spec: OneOffSpec, timeoutMs: number, signal?: AbortSignal): Promise<OneOffResult> {
    return runOnce(this.engine(host), spec, timeoutMs, signal);
  }

  /** Drop idle connections and end SSH connections; the instance cannot be used afterwards. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    for (const slot of this.slots.values()) {
      if ("engine" in slot) slot.engine.agent.destroy();
    }
  }
}
