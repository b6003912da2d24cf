/**
 * A bare mirror of a repository under the cache dir: `git clone --bare` once,
 * `git fetch --prune` afterwards. It holds branches and tags only, never the
 * other refs a host keeps (GitHub's refs/pull/<n>/head holds every pull
 * request's head, forks' included): what the mirror holds is what a sync can
 * read, and a pull request's head is fetched on demand for its own job
 * (docs/operations.md#git-mirrors). Updates of one mirror are serialised
 * in-process and coalesced: while one runs, every caller that arrives shares
 * a single follow-up update, so each caller still sees refs fetched after it
 * asked, and a burst of webhooks costs two fetches, not one per webhook.
 */
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fetchFailed } from "./git-errors.js";
import { mirrorName } from "./git-url.js";
import { type GitTimeouts, gitBuffer, gitText } from "./run-git.js";

// `git archive` must give exactly the tree whose hash names the build context,
// so in-tree .gitattributes may not drop files or rewrite them on export.
const EXPORT_ATTRIBUTES = "* -export-ignore -export-subst\n";

/** What a fetch brings in: branches and tags (`dockhand apply --ref v1`), nothing else. */
const MIRROR_REFSPECS = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"] as const;

/** Where a pull request's head is kept once its job fetched it, out of reach of the branch fetch's prune. */
function pullRequestRef(number: number): string {
  return `refs/dockhand/pr/${number}`;
}

/** Mirror directories whose refs were checked in this process (see dropForeignRefs). */
const checked = new Set<string>();

interface UpdateState {
  running?: Promise<void>;
  queued?: Promise<void>;
}

/** Keyed by mirror directory, so two GitRepo objects over one mirror also take turns. */
const updates = new Map<string, UpdateState>();

export interface MirrorStats {
  clones: number;
  fetches: number;
}

export class Mirror {
  readonly dir: string;
  readonly stats: MirrorStats = { clones: 0, fetches: 0 };

  constructor(
    readonly url: string,
    readonly cacheDir: string,
    /** Limits of the git commands it runs (run-git.ts); tests pass short ones. */
    readonly timeouts: Partial<GitTimeouts> = {},
  ) {
    this.dir = join(cacheDir, mirrorName(url));
  }

  exists(): boolean {
    return existsSync(join(this.dir, "HEAD"));
  }

  /** Clone or fetch, sharing an update that has not started yet with every other caller. */
  update(): Promise<void> {
    let state = updates.get(this.dir);
    if (!state) {
      state = {};
      updates.set(this.dir, state);
    }
    if (state.queued) return state.queued;
    if (!state.running) return this.start(state);
    const s = state;
    const queued = s
      .running!.catch(() => undefined)
      .then(() => {
        s.queued = undefined;
        return this.start(s);
      });
    s.queued = queued;
    return queued;
  }

  private start(state: UpdateState): Promise<void> {
    const run = (this.exists() ? this.fetch() : this.clone()).finally(() => {
      if (state.running === run) state.running = undefined;
    });
    state.running = run;
    return run;
  }

  /**
   * Fetches a pull request's head from where GitHub keeps it into
   * pullRequestRef(number); false when the remote has no such ref (a host
   * other than GitHub, where a pull request's head is a branch) or cannot be
   * reached: the read that follows then says what is missing.
   */
  async fetchPullRequest(number: number): Promise<boolean> {
    if (!this.exists()) await this.update();
    try {
      const refspec = `+refs/pull/${number}/head:${pullRequestRef(number)}`;
      await this.git(this.dir, ["fetch", "--no-write-fetch-head", "origin", refspec]);
      return true;
    } catch {
      return false;
    }
  }

  private async fetch(): Promise<void> {
    this.stats.fetches += 1;
    try {
      await this.dropForeignRefs();
      await this.git(this.dir, ["fetch", "--prune", "origin", ...MIRROR_REFSPECS]);
    } catch (err) {
      throw fetchFailed(this.url, err);
    }
  }

  /**
   * A mirror cloned with `--mirror` (before mirrors held branches only) has
   * every ref of the remote, pull requests' heads included, and a config that
   * fetches them all: once per process, such refs are deleted and the config
   * set to MIRROR_REFSPECS, so a `git fetch` by hand fetches the same.
   */
  private async dropForeignRefs(): Promise<void> {
    if (checked.has(this.dir)) return;
    const refs = (await this.git(this.dir, ["for-each-ref", "--format=%(refname)"])).split("\n");
    const foreign = refs.filter((r) => r !== "" && !/^refs\/(heads|tags|dockhand)\//.test(r));
    if (foreign.length > 0) {
      const input = foreign.map((r) => `delete ${r}\n`).join("");
      await gitBuffer(this.dir, ["update-ref", "--stdin"], { input, timeouts: this.timeouts });
    }
    await this.git(this.dir, ["config", "--unset-all", "remote.origin.mirror"]).catch(() => undefined);
    await this.setFetchRefspecs(this.dir);
    checked.add(this.dir);
  }

  /** Clone beside the final place and rename, so a clone cut short never looks like a mirror. */
  private async clone(): Promise<void> {
    this.stats.clones += 1;
    await mkdir(this.cacheDir, { recursive: true });
    const tmp = `${this.dir}.tmp-${process.pid}-${Date.now()}`;
    try {
      // --no-local: a repo on disk is fetched like a remote one, never copied whole with objects no branch holds.
      await this.git(this.cacheDir, ["clone", "--bare", "--no-local", "--", this.url, tmp]);
      await this.setFetchRefspecs(tmp);
      checked.add(this.dir);
      await mkdir(join(tmp, "info"), { recursive: true });
      await writeFile(join(tmp, "info", "attributes"), EXPORT_ATTRIBUTES);
      await rename(tmp, this.dir).catch((err: NodeJS.ErrnoException) => {
        // Another process finished its clone first; theirs is as good as ours.
        if (!this.exists()) throw err;
      });
    } catch (err) {
      throw fetchFailed(this.url, err);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  private async setFetchRefspecs(dir: string): Promise<void> {
    await this.git(dir, ["config", "--replace-all", "remote.origin.fetch", MIRROR_REFSPECS[0]]);
    await this.git(dir, ["config", "--add", "remote.origin.fetch", MIRROR_REFSPECS[1]]);
  }

  private git(cwd: string, args: string[]): Promise<string> {
    return gitText(cwd, args, { timeouts: this.timeouts });
  }
}
