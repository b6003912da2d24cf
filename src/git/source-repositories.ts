/**
 * SourceRepos over git: each app source repository (`build.git`) gets its own
 * bare mirror beside the deploy repo's, so a sync reads the branch head once
 * and every build of that sync archives exactly that commit.
 */
import type { Readable } from "node:stream";
import type { SourceRef, SourceRepos, SourceSnapshot } from "../model/index.js";
import { GitRepo } from "./git-repo.js";

export class SourceRepositories implements SourceRepos {
  private readonly repos = new Map<string, GitRepo>();

  constructor(private readonly cacheDir: string) {}

  async read(source: SourceRef, ref?: string): Promise<SourceSnapshot> {
    const repo = this.repo(source.url);
    const sha = await repo.resolve(ref ?? `refs/heads/${source.branch ?? (await this.defaultBranch(repo))}`);
    const branch = source.branch ?? (await repo.defaultBranch());
    return { url: source.url, branch, sha, trees: await repo.trees(sha) };
  }

  contextTar(url: string, sha: string, dir: string): Readable {
    return this.repo(url).contextTar(sha, dir);
  }

  /** Fetched first, so a branch created since the last read is known. */
  private async defaultBranch(repo: GitRepo): Promise<string> {
    await repo.resolve("HEAD");
    return repo.defaultBranch();
  }

  private repo(url: string): GitRepo {
    let repo = this.repos.get(url);
    if (!repo) {
      repo = new GitRepo({ url, cacheDir: this.cacheDir });
      this.repos.set(url, repo);
    }
    return repo;
  }
}
