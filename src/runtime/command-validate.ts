import { out } from "./cli-io.js";
import type { DockhandEnv } from "./env.js";
import { loadDesired, type RepoFlags } from "./load-state.js";

export async function commandValidate(env: DockhandEnv, flags: RepoFlags): Promise<number> {
  const { desired } = await loadDesired(env, flags);
  const replicas = desired.apps.reduce((n, a) => n + a.replicas, 0);
  out(
    `ok: ${desired.apps.length} apps, ${replicas} replicas, ${desired.hosts.length} hosts (${desired.source.repo} at ${desired.source.sha.slice(0, 12)})`,
  );
  return 0;
}
