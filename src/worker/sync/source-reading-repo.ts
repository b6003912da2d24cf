/**
 * The deploy repo together with the apps' source repositories (`build.git`):
 * a snapshot of the deploy repo also records, for every source an app names,
 * the commit its branch points to now and that commit's directory hashes. So
 * one sync sees one consistent set of commits, and an app whose context did
 * not change at the new source commit keeps its image tag and does not roll.
 */
import type { Readable } from "node:stream";
import {
  DockhandError,
  type PullRequestInfo,
  type RepoPort,
  type RepoSnapshot,
  type SourceFailure,
  type SourcePins,
  type SourceRepos,
  type SourceSnapshot,
  sourceKey,
} from "../../model/index.js";
import { listSourcesInThread } from "./parse-in-thread.js";

export class SourceReadingRepo implements RepoPort {
  readonly isAncestor?: RepoPort["isAncestor"];
  readonly head?: RepoPort["head"];
  readonly branch?: string;
  readonly fetchPullRequest?: RepoPort["fetchPullRequest"];

  constructor(
    /** The deploy repo itself (the status branch is committed to it). */
    readonly deployRepo: RepoPort,
    readonly sources: SourceRepos,
  ) {
    // Optional on the port, and their absence means something (a working directory has no history).
    if (deployRepo.isAncestor) this.isAncestor = deployRepo.isAncestor.bind(deployRepo);
    if (deployRepo.head) this.head = deployRepo.head.bind(deployRepo);
    if (deployRepo.fetchPullRequest) this.fetchPullRequest = deployRepo.fetchPullRequest.bind(deployRepo);
    this.branch = deployRepo.branch;
  }

  async snapshot(ref?: string, pins?: SourcePins, fetchable?: ReadonlySet<string>): Promise<RepoSnapshot> {
    return readSources(await this.deployRepo.snapshot(ref), this.sources, pins, fetchable);
  }

  contextTar(sha: string, dir: string): Readable {
    return this.deployRepo.contextTar(sha, dir);
  }

  toString(): string {
    return String(this.deployRepo);
  }
}

/**
 * Adds `sources` to a snapshot. A source that is read but lacks the branch or
 * commit is a failure validation reports at the app's `build.git` line like
 * any other config error. One that cannot be fetched (network, a host down)
 * is a transient failure: its apps cannot be planned this time and keep what
 * runs, while every other app deploys (the next sync tries it again).
 */
/** A pull request on a source repository pins that repository to the PR's head. */
export function pinsOf(pr: PullRequestInfo | undefined): SourcePins | undefined {
  if (!pr?.source) return undefined;
  return new Map(pr.source.urls.map((url) => [url, pr.headSha]));
}

/** Why a source repository a pull request's head names was not read (transient: its apps are simply not planned). */
export const NOT_FETCHED = "not fetched: new source repositories deploy after merge";

export async function readSources(
  snapshot: RepoSnapshot,
  sources: SourceRepos,
  pins?: SourcePins,
  fetchable?: ReadonlySet<string>,
): Promise<RepoSnapshot> {
  const refs = await listSourcesInThread(snapshot);
  if (refs.length === 0) return snapshot;
  const read = await Promise.all(
    refs.map(async (ref): Promise<[string, SourceSnapshot | SourceFailure]> => {
      if (fetchable && !fetchable.has(ref.url)) {
        return [sourceKey(ref), { url: ref.url, error: `${ref.url}: ${NOT_FETCHED}`, transient: true }];
      }
      try {
        return [sourceKey(ref), await sources.read(ref, pins?.get(ref.url))];
      } catch (err) {
        if (!(err instanceof DockhandError)) throw err;
        return [sourceKey(ref), { url: ref.url, error: err.message, ...(err.transient ? { transient: true } : {}) }];
      }
    }),
  );
  return { ...snapshot, sources: Object.fromEntries(read) };
}
