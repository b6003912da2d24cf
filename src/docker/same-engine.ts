/**
 * Two host names for one engine, unmasked by the engine itself: `local` and
 * the socket DOCKER_HOST names, a symlink, a DNS name and an IP. Each name
 * would list the same containers, and the planner would remove one copy of
 * each as a duplicate, or as the containers of a host that was dropped. A
 * picture of the hosts that cannot be trusted must plan nothing.
 */
import type { ObservedHost } from "../model/index.js";
import { DockhandError } from "../model/index.js";

/**
 * Throws when hosts of dockhand.yaml share an engine. A dropped host (no
 * longer in dockhand.yaml) that shares one with a host of the file was
 * renamed: it is kept with no containers, so it is forgotten rather than
 * emptied, and so is one of two dropped hosts that share an engine.
 */
export function setAsideSameEngines(hosts: ObservedHost[], dropped: ReadonlySet<string>): ObservedHost[] {
  const byEngine = new Map<string, ObservedHost[]>();
  for (const host of hosts) {
    if (host.engine === undefined) continue;
    const group = byEngine.get(host.engine);
    if (group) group.push(host);
    else byEngine.set(host.engine, [host]);
  }
  const aliases = new Set<string>();
  for (const [engine, group] of byEngine) {
    if (group.length < 2) continue;
    const current = group.filter((h) => !dropped.has(h.name));
    if (current.length > 1) throw sameEngineError(current, engine);
    const kept = current[0] ?? group[0];
    for (const host of group) if (host !== kept) aliases.add(host.name);
  }
  return hosts.map((h) => (aliases.has(h.name) ? { ...h, containers: [], images: [] } : h));
}

function sameEngineError(hosts: ObservedHost[], engine: string): DockhandError {
  const names = hosts.map((h) => h.name).sort();
  const listed = `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  return new DockhandError(
    "DOCKHAND_E_PLAN",
    `hosts ${listed} are one Docker engine (${engine}): each would list the same containers and a sync would ` +
      "remove them as duplicates, so nothing is planned; give each engine one host in dockhand.yaml. " +
      "Two machines that report one identity were cloned: give one of them a new engine ID " +
      "(remove /var/lib/docker/engine-id, or /etc/docker/key.json before Docker 23, and restart dockerd)",
  );
}
