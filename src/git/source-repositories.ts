/**
 * SourceRepos over git: each app source repository (`build.git`) gets its own
 * bare mirror beside the deploy repo's, so a sync reads the branch head once
 * and every build of that sync archives exactly that commit.
 */
import type { Readable } from "node:stream";
import type { SourceRef, SourceRepos, SourceSnapshot } from "../model/index.js";
import { GitRepo } from "./git-repo.js";
import type { GitTimeouts } from "./run-git.js";

export class SourceRepositories implements SourceRepos {
  private readonly repos = new Map<string, GitRepo>();

  constructor(
    private readonly cacheDir: string,
    private readonly timeouts?: Partial<GitTimeouts>,
  ) {}

  async read(source: SourceRef, ref?: string): Promise<SourceSnapshot> {
    const repo = this.repo(source.url);
    // The default branch is what HEAD named at clone time: it rarely changes, and reading it costs no fetch.
    const branch = source.branch ?? (await repo.defaultBranch());
    const sha = await repo.resolve(ref ?? `refs/heads/${branch}`);
    return { url: source.url, branch, sha, trees: await repo.trees(sha) };
  }

  fetchPullRequest(url: string, number: number, sha: string): Promise<void> {
    return this.repo(url).fetchPullRequest(number, sha);
  }

  isAncestor(url: string, ancestor: string, descendant: string): Promise<boolean> {
    return this.repo(url).isAncestor(ancestor, descendant);
  }

  contextTar(url: string, sha: string, dir: string): Readable {
    return this.repo(url).contextTar(sha, dir);
  }

  private repo(url: string): GitRepo {
    let repo = this.repos.get(url);
    if (!repo) {
      repo = new GitRepo({ url, cacheDir: this.cacheDir, timeouts: this.timeouts });
      this.repos.set(url, repo);
    }
    return repo;
  }
}
