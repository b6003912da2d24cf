import { out } from "./cli-io.js";
import type { DockhandEnv } from "./env.js";
import { loadObserved } from "./load-observed.js";
import { loadDesired, type RepoFlags } from "./load-state.js";

export async function commandObserve(env: DockhandEnv, flags: RepoFlags & { json?: boolean }): Promise<number> {
  const { desired } = await loadDesired(env, flags);
  const observed = await loadObserved(env, desired);
  if (flags.json) {
    out(JSON.stringify(observed, null, 2));
    return 0;
  }
  for (const host of observed.hosts) {
    out(`${host.name}: ${host.reachable ? `${host.containers.length} containers` : `unreachable (${host.error})`}`);
    for (const c of host.containers) {
      const port = c.hostPort === undefined ? "" : ` :${c.hostPort}`;
      out(
        `  ${c.name}  ${c.state}${c.health === "none" ? "" : `/${c.health}`}${port}  commit ${c.commit.slice(0, 12)}`,
      );
    }
  }
  return 0;
}
