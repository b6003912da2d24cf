/**
 * The status branch (docs/github.md): after a sync that changed
 * something, `<env>.json` on `dockhand-status` (or status.branch) says what
 * runs where. Written with plumbing in a bare repo of its own (never the
 * mirror, whose fetches prune), committed only when the content changed,
 * pushed with a retry when someone else pushed first. The webhook ignores
 * pushes to any branch but the tracked one, so these never trigger a sync.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { DeployReporter, FinishedSync, SyncReportContext } from "../model/index.js";
import { DockhandError } from "../model/index.js";
import { firstStderrLine } from "./git-errors.js";
import { mirrorName, normaliseRepo, redactUrl } from "./git-url.js";
import { GitProcessError, type GitTimeouts, gitText } from "./run-git.js";
import { buildEnvironmentStatus, parseEnvironmentStatus, renderEnvironmentStatus, sameApps } from "./status-record.js";

// DEFAULTS.status.branch (src/config/defaults.ts), for a DesiredState made without `status`; adapters may not import config.
const DEFAULT_STATUS_BRANCH = "dockhand-status";
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface StatusBranchOptions {
  /** The deploy repo: a URL or a path (what DOCKHAND_REPO names). */
  url: string;
  /** Where the status branch's own bare repo lives. */
  cacheDir: string;
  author?: { name: string; email: string };
  /** Pushes tried before giving up when others keep pushing first. Default 5. */
  attempts?: number;
  /**
   * Limits of the git commands it runs; default DEFAULT_GIT_TIMEOUTS (run-git.ts). A
   * push or fetch that stalls fails within networkSilenceMs, so the writes queued
   * behind it go on.
   */
  timeouts?: Partial<GitTimeouts>;
}

export type StatusWrite = "committed" | "unchanged";

export class StatusBranch {
  readonly url: string;
  private readonly dir: string;
  private readonly author: { name: string; email: string };
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: StatusBranchOptions) {
    this.url = normaliseRepo(options.url);
    this.dir = join(options.cacheDir, `status-${mirrorName(this.url)}`);
    this.author = options.author ?? { name: "dockhand", email: "dockhand@localhost" };
  }

  /**
   * Commit `file` on `branch` with the text `next(old)` gives: undefined keeps
   * what is there (no commit), null removes the file. Writes of one
   * StatusBranch take turns.
   */
  write(
    branch: string,
    file: string,
    next: (old: string | undefined) => string | null | undefined,
    message: string,
  ): Promise<StatusWrite> {
    if (!SAFE_NAME.test(branch) || !SAFE_NAME.test(file)) {
      throw new DockhandError("DOCKHAND_E_USAGE", `status branch "${branch}" and file "${file}" must be plain names`);
    }
    const run = this.chain.then(() => this.attempt(branch, file, next, message, this.options.attempts ?? 5));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async attempt(
    branch: string,
    file: string,
    next: (old: string | undefined) => string | null | undefined,
    message: string,
    left: number,
  ): Promise<StatusWrite> {
    await this.ensureRepo();
    const parent = await this.fetchBranch(branch);
    const old = parent ? await this.readFile(parent, file) : undefined;
    const content = next(old);
    if (content === undefined || (content === null && old === undefined)) return "unchanged";
    const commit = await this.commit(parent, file, content, message);
    try {
      await this.git(["push", "origin", `${commit}:refs/heads/${branch}`]);
      return "committed";
    } catch (err) {
      if (left > 1 && isRace(err)) return this.attempt(branch, file, next, message, left - 1);
      throw this.failed(`push ${branch}`, err);
    }
  }

  private async ensureRepo(): Promise<void> {
    if (existsSync(join(this.dir, "HEAD"))) return;
    await mkdir(this.dir, { recursive: true });
    await this.git(["init", "--quiet", "--bare"]);
    await this.git(["remote", "add", "origin", this.url]);
  }

  /** The branch's head after a fetch, or undefined when the branch does not exist yet. */
  private async fetchBranch(branch: string): Promise<string | undefined> {
    const local = `refs/dockhand-status/${branch}`;
    try {
      await this.git(["fetch", "--no-tags", "origin", `+refs/heads/${branch}:${local}`]);
    } catch (err) {
      if (!(err instanceof GitProcessError && /couldn't find remote ref/i.test(err.stderr))) {
        throw this.failed(`fetch ${branch}`, err);
      }
      await this.git(["update-ref", "-d", local]).catch(() => undefined);
      return undefined;
    }
    return (await this.git(["rev-parse", "--verify", `${local}^{commit}`])).trim();
  }

  private async readFile(commit: string, file: string): Promise<string | undefined> {
    try {
      return await this.git(["cat-file", "blob", `${commit}:${file}`]);
    } catch {
      return undefined;
    }
  }

  /** A commit of the parent's tree with `file` set to `content`, or without it when `content` is null. */
  private async commit(
    parent: string | undefined,
    file: string,
    content: string | null,
    message: string,
  ): Promise<string> {
    const entries = parent
      ? (await this.git(["ls-tree", parent])).split("\n").filter((l) => l && !l.endsWith(`\t${file}`))
      : [];
    if (content !== null) {
      const blob = (await this.git(["hash-object", "-w", "--stdin"], content)).trim();
      entries.push(`100644 blob ${blob}\t${file}`);
    }
    // mktree takes an empty input as the empty tree, but not a lone newline.
    const tree = (await this.git(["mktree"], entries.map((e) => `${e}\n`).join(""))).trim();
    const identity = ["-c", `user.name=${this.author.name}`, "-c", `user.email=${this.author.email}`];
    const args = [...identity, "commit-tree", tree, ...(parent ? ["-p", parent] : []), "-m", message];
    return (await this.git(args)).trim();
  }

  private git(args: string[], input = ""): Promise<string> {
    return gitText(this.dir, args, { input, timeouts: this.options.timeouts ?? {} });
  }

  private failed(what: string, err: unknown): DockhandError {
    const text = err instanceof GitProcessError ? err.stderr : String(err);
    return new DockhandError(
      "DOCKHAND_E_GIT",
      `could not ${what} of ${redactUrl(this.url)}: ${firstStderrLine(text)}`,
      {
        cause: err,
        transient: true,
      },
    );
  }
}

/** Someone pushed first: fetch again and redo the commit on top of theirs. */
function isRace(err: unknown): boolean {
  return (
    err instanceof GitProcessError &&
    /non-fast-forward|fetch first|rejected|cannot lock ref|stale info/i.test(err.stderr)
  );
}

/** The status branch as a DeployReporter: it writes when a sync ends having changed something. */
export class StatusBranchReporter implements DeployReporter {
  constructor(private readonly branch: StatusBranch) {}

  async started(): Promise<void> {}

  async planned(): Promise<void> {}

  async finished(ctx: SyncReportContext, finished: FinishedSync): Promise<void> {
    await this.record(ctx, finished);
  }

  /** What `finished` does, with what came of it: undefined when the sync changed nothing. */
  async record(ctx: SyncReportContext, finished: FinishedSync): Promise<StatusWrite | undefined> {
    const { outcome, planned, observed } = finished;
    // Nothing ran differently: a no-op, a config that did not validate, a declined plan.
    if (outcome.status === "noop" || !planned || !observed || !/^[0-9a-f]{40,64}$/.test(ctx.sha)) return undefined;
    const branch = planned.desired.status?.branch ?? DEFAULT_STATUS_BRANCH;
    // An environment whose last app went (a preview torn down) leaves no file behind; git log keeps its history.
    const gone = outcome.status === "succeeded" && !planned.desired.apps.some((a) => a.env === ctx.env);
    const message = `${ctx.env}: ${gone ? "removed" : outcome.status} at ${ctx.sha.slice(0, 12)}`;
    return this.branch.write(
      branch,
      `${ctx.env}.json`,
      (old) => {
        if (gone) return null;
        const previous = parseEnvironmentStatus(old);
        const status = buildEnvironmentStatus({
          env: ctx.env,
          outcome,
          desired: planned.desired,
          observed,
          finishedAt: finished.finishedAt,
          ...(previous ? { previous } : {}),
        });
        return sameApps(previous, status) ? undefined : renderEnvironmentStatus(status);
      },
      message,
    );
  }
}
