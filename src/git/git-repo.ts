/**
 * RepoPort over a git remote (or a repo on disk, bare or not), read through a
 * bare mirror in the cache dir. Reads happen at a resolved sha, never at a
 * moving branch, so a snapshot and the build contexts of its plan agree.
 */
import type { Readable } from "node:stream";
import { DockhandError } from "../model/errors.js";
import type { RepoPort } from "../model/ports.js";
import type { RepoSnapshot } from "../model/repo-snapshot.js";
import { isDeployFile } from "./deploy-files.js";
import { readFailed, unknownRef } from "./git-errors.js";
import { normaliseRepo, redactUrl } from "./git-url.js";
import { parseLsTree } from "./ls-tree.js";
import { Mirror, type MirrorStats } from "./mirror.js";
import { readBlobs } from "./read-blobs.js";
import { deferredStream, GitProcessError, type GitTimeouts, gitBuffer, gitStream, gitText } from "./run-git.js";

export interface GitRepoOptions {
  /** A git URL, or a path to a repo (bare or not). */
  url: string;
  /** The tracked branch, read when no ref is given. Default "main". */
  branch?: string;
  /** Where the bare mirror lives (one subdirectory per URL). */
  cacheDir: string;
  /** Limits of the git commands it runs; default DEFAULT_GIT_TIMEOUTS (run-git.ts). */
  timeouts?: Partial<GitTimeouts>;
}

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const REF_CHARS = /^[^\s~^:?*[\\]+$/;

/** Refs come from users and webhooks; one that looks like an option or holds control characters never reaches git. */
function isSafeRef(ref: string): boolean {
  return !ref.startsWith("-") && REF_CHARS.test(ref) && ![...ref].some((c) => c.charCodeAt(0) < 0x20 || c === "\x7f");
}

export class GitRepo implements RepoPort {
  /** The URL as given, or the absolute path of a repo on disk. */
  readonly url: string;
  readonly branch: string;
  private readonly mirror: Mirror;
  private readonly timeouts: Partial<GitTimeouts>;

  constructor(options: GitRepoOptions) {
    if (!options.url?.trim())
      throw new DockhandError("DOCKHAND_E_USAGE", "GitRepo: url is empty; give a git URL or a path to a repo");
    if (options.url.startsWith("-")) {
      throw new DockhandError(
        "DOCKHAND_E_USAGE",
        `GitRepo: url "${options.url}" starts with "-"; give a git URL or a path`,
      );
    }
    if (!options.cacheDir)
      throw new DockhandError("DOCKHAND_E_USAGE", "GitRepo: cacheDir is empty; give a directory for the mirror");
    this.url = normaliseRepo(options.url);
    this.branch = options.branch ?? "main";
    this.timeouts = options.timeouts ?? {};
    this.mirror = new Mirror(this.url, options.cacheDir, this.timeouts);
  }

  /** Where the bare mirror is (or will be). */
  get mirrorDir(): string {
    return this.mirror.dir;
  }

  /** How often this object cloned and fetched; shared updates count once. */
  get stats(): Readonly<MirrorStats> {
    return this.mirror.stats;
  }

  async snapshot(ref?: string): Promise<RepoSnapshot> {
    const sha = await this.resolve(ref ?? `refs/heads/${this.branch}`);
    const listing = parseLsTree(
      await this.read(`the tree of ${sha}`, ["ls-tree", "-r", "-t", "-z", "--full-tree", sha]),
    );
    const root = (await this.read(`the tree of ${sha}`, ["rev-parse", `${sha}^{tree}`])).trim();
    const wanted = listing.blobs.filter((b) => b.mode !== "120000" && isDeployFile(b.path));
    let contents: Map<string, Buffer>;
    try {
      contents = await readBlobs(
        this.mirror.dir,
        wanted.map((b) => b.hash),
        this.timeouts,
      );
    } catch (err) {
      throw readFailed(this.url, `the files of ${sha}`, err);
    }
    const files: Record<string, string> = {};
    for (const blob of wanted) files[blob.path] = contents.get(blob.hash)?.toString("utf8") ?? "";
    return { source: { repo: this.url, sha }, files, trees: { "": root, ...listing.trees } };
  }

  /**
   * The full sha of a branch, tag or sha, after a fetch. A full sha already in
   * the mirror skips the fetch: commits never change.
   */
  async resolve(ref: string): Promise<string> {
    const shown = ref.replace(/^refs\/heads\//, "");
    if (!isSafeRef(ref)) throw unknownRef(this.url, shown);
    if (!(FULL_SHA.test(ref) && (await this.hasCommit(ref)))) await this.mirror.update();
    const out = await this.revParse(ref);
    if (!out) throw unknownRef(this.url, shown);
    return out;
  }

  /** Every directory of the commit's tree with its tree hash (`""` is the root): what names a build context. */
  async trees(sha: string): Promise<Record<string, string>> {
    const full = await this.resolve(sha);
    const listing = parseLsTree(await this.read(`the tree of ${full}`, ["ls-tree", "-r", "-d", "-t", "-z", full]));
    const root = (await this.read(`the tree of ${full}`, ["rev-parse", `${full}^{tree}`])).trim();
    return { "": root, ...listing.trees };
  }

  /** The branch the remote's HEAD named when the mirror was cloned (GitHub's "default branch"). */
  async defaultBranch(): Promise<string> {
    if (!this.mirror.exists()) await this.mirror.update();
    const out = await this.read("its default branch", ["symbolic-ref", "--quiet", "HEAD"]);
    return out.trim().replace(/^refs\/heads\//, "");
  }

  /**
   * Makes a pull request's head readable for its job: the mirror holds
   * branches only, and a fork's head is on no branch here (GitHub keeps it at
   * refs/pull/<n>/head). Nothing is fetched when the mirror has the commit.
   */
  async fetchPullRequest(number: number, sha: string): Promise<void> {
    // The number comes from a webhook body and becomes part of a refspec.
    if (!Number.isSafeInteger(number) || number <= 0) {
      throw new DockhandError("DOCKHAND_E_USAGE", `pull request number must be a positive integer, got ${number}`);
    }
    if (FULL_SHA.test(sha) && (await this.hasCommit(sha))) return;
    await this.mirror.fetchPullRequest(number);
  }

  /** The tracked branch's head commit, after a fetch. */
  async head(): Promise<string> {
    return this.resolve(`refs/heads/${this.branch}`);
  }

  /**
   * Whether `ancestor` is an older commit of `descendant`'s history (a commit
   * is not its own ancestor), so a late sync for an old commit is not applied.
   */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const [a, d] = [await this.resolve(ancestor), await this.resolve(descendant)];
    if (a === d) return false;
    try {
      await gitBuffer(this.mirror.dir, ["merge-base", "--is-ancestor", a, d], { timeouts: this.timeouts });
      return true;
    } catch (err) {
      // Exit 1 is git's "no"; anything else is a failure to read the history.
      if (err instanceof GitProcessError && err.exitCode === 1) return false;
      throw readFailed(this.url, `the history of ${d}`, err);
    }
  }

  /** Paths that differ between two commits (both sides of a rename), sorted. */
  async changedPaths(fromSha: string, toSha: string): Promise<string[]> {
    const [from, to] = [await this.resolve(fromSha), await this.resolve(toSha)];
    const out = await this.read(`the changes ${from}..${to}`, [
      "diff-tree",
      "-r",
      "-z",
      "--name-only",
      "--no-renames",
      "--no-commit-id",
      from,
      to,
    ]);
    return [...new Set(out.split("\0").filter((p) => p !== ""))].sort();
  }

  /**
   * `git archive --format=tar <sha>:<dir>`, fetching first when the mirror
   * lacks the commit. Failures end the stream with a DOCKHAND_E_GIT error.
   */
  contextTar(sha: string, dir: string): Readable {
    const path = normaliseDir(dir);
    const toError = (err: Error): Error =>
      err instanceof DockhandError ? err : readFailed(this.url, `${path || "the root"} at ${sha}`, err, false);
    return deferredStream(async () => {
      const full = await this.resolve(sha);
      return gitStream(this.mirror.dir, ["archive", "--format=tar", `${full}:${path}`], toError);
    }, toError);
  }

  private async hasCommit(sha: string): Promise<boolean> {
    if (!this.mirror.exists()) return false;
    return (await this.revParse(sha)) === sha;
  }

  /** The full sha of `ref` in the mirror, or "" when git does not know it. */
  private async revParse(ref: string): Promise<string> {
    try {
      const out = await this.git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
      return FULL_SHA.test(out.trim()) ? out.trim() : "";
    } catch {
      return "";
    }
  }

  private async read(what: string, args: string[]): Promise<string> {
    try {
      return await this.git(args);
    } catch (err) {
      throw readFailed(this.url, what, err);
    }
  }

  private git(args: string[]): Promise<string> {
    return gitText(this.mirror.dir, args, { timeouts: this.timeouts });
  }

  toString(): string {
    return `GitRepo(${redactUrl(this.url)}#${this.branch})`;
  }
}

/** "", ".", "./" mean the root; no leading "./" or trailing "/". */
export function normaliseDir(dir: string): string {
  return dir
    .replace(/^(\.\/)+/, "")
    .replace(/\/+$/, "")
    .replace(/^\.$/, "");
}
