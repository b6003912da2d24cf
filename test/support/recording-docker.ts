/**
 * A DockerPort that records every call and keeps containers in memory, for
 * unit tests of the rollout executor: "health fails on the new container →
 * calls end with remove new, start old" in milliseconds. It also watches the
 * one invariant recreate promises: never two running containers of one slot
 * of one app on one host (one per-slot volume, one fixed port).
 */
import type { Readable } from "node:stream";
import type {
  ContainerSpec,
  DockerPort,
  HealthSpec,
  LineSink,
  LogLine,
  LogStreamOptions,
  ObservedContainer,
  ObservedState,
  OneOffResult,
  OneOffSpec,
  StartedContainer,
} from "../../src/model/index.js";
import { DockhandError, LABELS, RolloutError } from "../../src/model/index.js";

interface FakeContainer {
  id: string;
  host: string;
  name: string;
  app: string;
  env: string;
  slot: number;
  running: boolean;
  hostPort?: number;
}

/** Which calls fail: by the container's name (run, waitHealthy) or the call and name (`remove web-…`). */
export interface Faults {
  unhealthy?: string[];
  /** `run <name>`, `remove <name>`, `start <name>`, `stop <name>`. */
  refuse?: string[];
}

export class RecordingDocker implements DockerPort {
  readonly calls: string[] = [];
  /** Broken promises seen along the way: two containers of one slot running on one host. */
  readonly overlaps: string[] = [];
  private readonly containers = new Map<string, FakeContainer>();
  private nextPort = 30_000;

  constructor(
    private readonly faults: Faults = {},
    existing: ObservedContainer[] = [],
  ) {
    for (const c of existing) {
      this.containers.set(c.id, { ...c, running: c.state === "running" });
    }
  }

  /** The running containers, as `host/name`, sorted. */
  running(): string[] {
    return [...this.containers.values()]
      .filter((c) => c.running)
      .map((c) => `${c.host}/${c.name}`)
      .sort();
  }

  private byId(host: string, id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c || c.host !== host) throw new DockhandError("DOCKHAND_E_DOCKER", `host ${host} has no container ${id}`);
    return c;
  }

  private refuse(call: string, name: string): void {
    if (this.faults.refuse?.includes(`${call} ${name}`)) {
      throw new DockhandError("DOCKHAND_E_DOCKER", `${call} ${name} refused (test fault)`);
    }
  }

  private setRunning(c: FakeContainer): void {
    const twin = [...this.containers.values()].find(
      (o) => o !== c && o.running && o.host === c.host && o.app === c.app && o.env === c.env && o.slot === c.slot,
    );
    if (twin) this.overlaps.push(`${c.host}: ${c.name} started while ${twin.name} runs`);
    c.running = true;
  }

  async observe(): Promise<ObservedState> {
    return { hosts: [] };
  }

  async hasImage(): Promise<boolean> {
    return true;
  }

  async build(host: string, image: string, _context: Readable): Promise<void> {
    this.calls.push(`build ${image} on ${host}`);
  }

  async ship(image: string, from: string, to: string): Promise<void> {
    this.calls.push(`ship ${image} ${from}->${to}`);
  }

  async pull(host: string, image: string, _log: LineSink): Promise<void> {
    this.calls.push(`pull ${image} on ${host}`);
  }

  async push(host: string, image: string): Promise<void> {
    this.calls.push(`push ${image} from ${host}`);
  }

  async run(host: string, spec: ContainerSpec): Promise<StartedContainer> {
    this.calls.push(`run ${spec.name} on ${host}`);
    this.refuse("run", spec.name);
    const id = `id-${host}-${spec.name}`;
    const c: FakeContainer = {
      id,
      host,
      name: spec.name,
      app: spec.labels[LABELS.app] ?? "",
      env: spec.labels[LABELS.env] ?? "",
      slot: Number(spec.labels[LABELS.slot]),
      running: false,
      ...(spec.port !== undefined ? { hostPort: spec.hostPort ?? this.nextPort++ } : {}),
    };
    this.containers.set(id, c);
    this.setRunning(c);
    return { id, name: spec.name, host, ...(c.hostPort !== undefined ? { hostPort: c.hostPort } : {}) };
  }

  async waitHealthy(host: string, id: string, _port: number | undefined, _health: HealthSpec): Promise<void> {
    const c = this.byId(host, id);
    this.calls.push(`waitHealthy ${c.name}`);
    if (this.faults.unhealthy?.includes(c.name)) {
      throw new RolloutError("DOCKHAND_E_HEALTH", `container ${c.name} on host ${host} did not become healthy`, {
        app: c.app,
        step: "waitHealthy",
      });
    }
  }

  async start(host: string, id: string): Promise<void> {
    const c = this.byId(host, id);
    this.calls.push(`start ${c.name}`);
    this.refuse("start", c.name);
    this.setRunning(c);
  }

  async stop(host: string, id: string): Promise<void> {
    const c = this.byId(host, id);
    this.calls.push(`stop ${c.name}`);
    this.refuse("stop", c.name);
    c.running = false;
  }

  async remove(host: string, id: string): Promise<void> {
    const c = this.containers.get(id);
    this.calls.push(`remove ${c?.name ?? id}`);
    if (c) this.refuse("remove", c.name);
    if (c?.host === host) this.containers.delete(id);
  }

  async logsTail(): Promise<string> {
    return "";
  }

  async streamLogs(_h: string, _id: string, _o: LogStreamOptions, _on: (line: LogLine) => void): Promise<void> {}

  async hostPort(host: string, id: string): Promise<number | undefined> {
    const c = this.byId(host, id);
    return c.running ? c.hostPort : undefined;
  }

  async rename(host: string, id: string, name: string): Promise<void> {
    const c = this.byId(host, id);
    this.calls.push(`rename ${c.name} -> ${name}`);
    c.name = name;
  }

  async runOnce(host: string, spec: OneOffSpec): Promise<OneOffResult> {
    this.calls.push(`runOnce ${spec.name} on ${host}`);
    return { exitCode: 0, output: "" };
  }

  async close(): Promise<void> {}
}
