import { join } from "node:path";
import { openRepo } from "../git/index.js";
import type { RepoPort } from "../model/index.js";
import type { DockhandEnv } from "./env.js";

/** The deploy repo named by `--repo` (or DOCKHAND_REPO, or the current directory). */
export function openDeployRepo(env: DockhandEnv, flags: { repo?: string; ref?: string }): Promise<RepoPort> {
  return openRepo({
    repo: flags.repo ?? env.repo ?? ".",
    ref: flags.ref,
    branch: env.branch,
    cacheDir: join(env.stateDir, "git"),
  });
}
