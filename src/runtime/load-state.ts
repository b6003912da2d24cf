import { parseDeployRepo } from "../config/index.js";
import type { DesiredState, RepoPort } from "../model/index.js";
import type { DockhandEnv } from "./env.js";
import { openDeployRepo } from "./open-deploy-repo.js";

export interface RepoFlags {
  repo?: string;
  ref?: string;
}

/**
 * The deploy repo read and validated. What runs on the hosts is load-observed.ts's,
 * so a command that only reads the repo (validate) never loads the Docker client.
 */
export async function loadDesired(
  env: DockhandEnv,
  flags: RepoFlags,
): Promise<{ repo: RepoPort; desired: DesiredState }> {
  const repo = await openDeployRepo(env, flags);
  const desired = parseDeployRepo(await repo.snapshot(flags.ref));
  return { repo, desired };
}
