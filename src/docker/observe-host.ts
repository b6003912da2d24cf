/**
 * Observing one host: one label-filtered container list, one image list, and
 * `docker info` for which engine answered (two host names for one engine are
 * refused: same-engine.ts). dockhand never looks at a container without its
 * labels, so the filter is done by the engine, not here.
 */
import type Docker from "dockerode";
import type { ContainerHealth, ContainerState, LineSink, ObservedContainer, ObservedHost } from "../model/index.js";
import { decodeSpecFields, LABELS, parseRetiredName } from "../model/index.js";
import type { Engine } from "./connect-engine.js";
import { engineCall } from "./engine-call.js";

const STATES: ReadonlySet<string> = new Set<ContainerState>([
  "created",
  "running",
  "paused",
  "restarting",
  "removing",
  "exited",
  "dead",
]);

/** The list call reports health only inside the Status text, e.g. `Up 3 seconds (health: starting)`. */
export function healthFromStatus(status: string): ContainerHealth {
  if (status.includes("(healthy)")) return "healthy";
  if (status.includes("(unhealthy)")) return "unhealthy";
  if (status.includes("(health: starting)")) return "starting";
  return "none";
}

/**
 * The published TCP port and the host IPs it listens on; the app's port is not
 * a label, and dockhand publishes exactly one (the engine lists it once per IP).
 */
function published(ports: Docker.Port[] | undefined): Pick<ObservedContainer, "hostPort" | "publishedOn"> {
  const bound = (ports ?? []).filter((p) => p.Type === "tcp" && typeof p.PublicPort === "number" && p.PublicPort > 0);
  const first = bound[0];
  if (!first) return { hostPort: undefined };
  const ips = bound.filter((p) => p.PrivatePort === first.PrivatePort && typeof p.IP === "string").map((p) => p.IP);
  return { hostPort: first.PublicPort, publishedOn: [...new Set(ips)].sort() };
}

/** Map one listed container, or say why it cannot be (malformed labels). */
export function toObservedContainer(host: string, info: Docker.ContainerInfo): ObservedContainer | string {
  const labels = info.Labels ?? {};
  const missing = [LABELS.app, LABELS.env, LABELS.slot, LABELS.spec].filter((key) => !labels[key]);
  if (missing.length > 0) return `missing label ${missing.join(", ")}`;
  const slotText = labels[LABELS.slot] ?? "";
  const slot = /^\d+$/.test(slotText) ? Number(slotText) : Number.NaN;
  if (!Number.isSafeInteger(slot)) return `label ${LABELS.slot} is "${slotText}", expected a replica index like 0`;
  const state = STATES.has(info.State) ? (info.State as ContainerState) : "dead";
  const specFields = decodeSpecFields(labels[LABELS.specFields]);
  const name = (info.Names?.[0] ?? info.Id).replace(/^\//, "");
  const retired = parseRetiredName(name);
  return {
    id: info.Id,
    name,
    host,
    app: labels[LABELS.app] ?? "",
    env: labels[LABELS.env] ?? "",
    slot,
    specHash: labels[LABELS.spec] ?? "",
    ...(specFields ? { specFields } : {}),
    commit: labels[LABELS.commit] ?? "",
    image: info.Image,
    state,
    health: healthFromStatus(info.Status ?? ""),
    ...published(info.Ports),
    createdAt: info.Created * 1000,
    ...(retired ? { retiredAt: retired.at } : {}),
  };
}

/** The part of `docker info` that tells engines apart; dockerode's typings omit info's options. */
type EngineInfo = { ID?: string; Name?: string; DockerRootDir?: string };
type InfoCall = (options: { abortSignal: AbortSignal }) => Promise<EngineInfo>;

function engineIdentity(info: EngineInfo): string {
  return `${info.ID ?? "?"} (${info.Name ?? "?"}, ${info.DockerRootDir ?? "?"})`;
}

function imageTags(images: Docker.ImageInfo[]): string[] {
  const tags = images.flatMap((image) => image.RepoTags ?? []).filter((tag) => !tag.includes("<none>"));
  return [...new Set(tags)].sort();
}

/** Observe one host; never throws: a failure becomes `reachable: false` with the reason. */
export async function observeHost(
  engine: Engine,
  instance: string,
  timeoutMs: number,
  log: LineSink,
): Promise<ObservedHost> {
  const name = engine.host.name;
  const filters = { label: [`${LABELS.managed}=true`, `${LABELS.instance}=${instance}`] };
  try {
    const info = engine.docker.info.bind(engine.docker) as unknown as InfoCall;
    const [identity, listed, images] = await Promise.all([
      engineCall(engine, "read engine info", (abortSignal) => info({ abortSignal }), timeoutMs),
      engineCall(
        engine,
        "list containers",
        (abortSignal) => engine.docker.listContainers({ all: true, filters, abortSignal }),
        timeoutMs,
      ),
      engineCall(engine, "list images", (abortSignal) => engine.docker.listImages({ abortSignal }), timeoutMs),
    ]);
    const containers: ObservedContainer[] = [];
    for (const info of listed) {
      const mapped = toObservedContainer(name, info);
      if (typeof mapped === "string") log(`host ${name}: ignoring container ${info.Id.slice(0, 12)}: ${mapped}`);
      else containers.push(mapped);
    }
    return { name, reachable: true, engine: engineIdentity(identity), containers, images: imageTags(images) };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { name, reachable: false, error, containers: [], images: [] };
  }
}
