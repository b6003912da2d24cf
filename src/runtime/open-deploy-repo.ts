import { join } from "node:path";
import { openRepo, SourceRepositories } from "../git/index.js";
import type { RepoPort } from "../model/index.js";
import { SourceReadingRepo } from "../worker/sync/source-reading-repo.js";
import type { DockhandEnv } from "./env.js";

/**
 * The deploy repo named by `--repo` (or DOCKHAND_REPO, or the current
 * directory), reading the apps' source repositories (`build.git`) with it;
 * every mirror lives under the state dir.
 */
export async function openDeployRepo(env: DockhandEnv, flags: { repo?: string; ref?: string }): Promise<RepoPort> {
  const cacheDir = join(env.stateDir, "git");
  const deployRepo = await openRepo({
    repo: flags.repo ?? env.repo ?? ".",
    ref: flags.ref,
    branch: env.branch,
    cacheDir,
  });
  return new SourceReadingRepo(deployRepo, new SourceRepositories(cacheDir));
}
