/**
 * A bare mirror of the deploy repo under the cache dir: `git clone --mirror`
 * once, `git fetch --prune` afterwards. Updates of one mirror are serialised
 * in-process and coalesced: while one runs, every caller that arrives shares
 * a single follow-up update, so each caller still sees refs fetched after it
 * asked, and a burst of webhooks costs two fetches, not one per webhook.
 */
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fetchFailed } from "./git-errors.js";
import { mirrorName } from "./git-url.js";
import { gitAt } from "./run-git.js";

// `git archive` must give exactly the tree whose hash names the build context,
// so in-tree .gitattributes may not drop files or rewrite them on export.
const EXPORT_ATTRIBUTES = "* -export-ignore -export-subst\n";

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

  private async fetch(): Promise<void> {
    this.stats.fetches += 1;
    try {
      await gitAt(this.dir).raw(["fetch", "--prune", "--quiet", "origin"]);
    } catch (err) {
      throw fetchFailed(this.url, err);
    }
  }

  /** Clone beside the final place and rename, so a clone cut short never looks like a mirror. */
  private async clone(): Promise<void> {
    this.stats.clones += 1;
    await mkdir(this.cacheDir, { recursive: true });
    const tmp = `${this.dir}.tmp-${process.pid}-${Date.now()}`;
    try {
      await gitAt(this.cacheDir).raw(["clone", "--mirror", "--quiet", "--", this.url, tmp]);
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
}
