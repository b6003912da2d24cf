/**
 * The StatusSource of src/http over the real things: the deploy repo (the
 * desired state), the Docker engines (observed, cached briefly, one
 * observation shared by concurrent callers), and Redis (deploy history,
 * queue, holds). A part that cannot be read is reported in the snapshot,
 * never thrown: the status of a half-broken install is what operators need.
 */
import {
  buildStatus,
  type HistoryView,
  type HoldStatus,
  type PreviewStatus,
  type QueueSnapshot,
  type StatusSnapshot,
  type StatusSource,
} from "../http/index.js";
import type { DesiredState, DockerPort, HostSpec, ObservedState, PreviewRecord, SyncHold } from "../model/index.js";
import { resolvedDesired } from "../planner/index.js";
import type { DeployHistory } from "../worker/history/deploy-history.js";

export interface DesiredResult {
  desired?: DesiredState;
  error?: string;
}

export interface LiveStatusOptions {
  instance: string;
  desired: () => Promise<DesiredResult>;
  dockerFor: (hosts: HostSpec[]) => DockerPort;
  /** Absent without Redis; `historyError` then says why. */
  history?: DeployHistory;
  historyError?: string;
  queue?: () => Promise<QueueSnapshot>;
  holds?: () => Promise<HoldStatus[]>;
  previews?: () => Promise<PreviewStatus[]>;
  now?: () => number;
}

export class LiveStatus implements StatusSource {
  private docker: { key: string; port: DockerPort } | undefined;
  private observed: { key: string; at: number; value: Promise<ObservedState> } | undefined;
  private readonly now: () => number;

  constructor(private readonly options: LiveStatusOptions) {
    this.now = options.now ?? Date.now;
  }

  async snapshot(options: { maxAgeMs?: number } = {}): Promise<StatusSnapshot> {
    const { desired, error } = await this.options.desired().catch((err: unknown) => ({
      desired: undefined,
      error: messageOf(err),
    }));
    const [observed, history, queue, holds, previews] = await Promise.all([
      this.observe(desired?.hosts ?? [], options.maxAgeMs ?? 0),
      this.readHistory(),
      this.options.queue?.().catch(() => undefined),
      this.options.holds?.().catch(() => []),
      this.options.previews?.().catch(() => []),
    ]);
    return buildStatus({
      instance: this.options.instance,
      now: this.now(),
      // Apps that reference others run their resolved env: compare against that.
      desired: desired && resolvedDesired(desired, observed, { instance: this.options.instance }),
      desiredError: error,
      observed,
      ...history,
      queue,
      holds,
      previews,
    });
  }

  async subscribe(onChange: () => void): Promise<() => Promise<void>> {
    if (!this.options.history) return async () => {};
    return this.options.history.subscribe(onChange);
  }

  async close(): Promise<void> {
    await this.docker?.port.close();
    this.docker = undefined;
  }

  private async readHistory(): Promise<{ history?: HistoryView; historyError?: string }> {
    const h = this.options.history;
    if (!h) return { historyError: this.options.historyError ?? "no Redis configured" };
    try {
      const [current, recent, lastOutcomes, lastSyncs] = await Promise.all([
        h.current(),
        h.recent(),
        h.lastOutcomes(),
        h.lastSyncs(),
      ]);
      return { history: { current, recent, lastOutcomes, lastSyncs } };
    } catch (err) {
      return { historyError: `Redis did not answer: ${messageOf(err)}` };
    }
  }

  /** One observation per host set, reused while younger than maxAgeMs and shared while in flight. */
  private observe(hosts: HostSpec[], maxAgeMs: number): Promise<ObservedState> {
    const key = JSON.stringify(hosts);
    const cached = this.observed;
    if (cached && cached.key === key && this.now() - cached.at <= maxAgeMs) return cached.value;
    if (hosts.length === 0) return Promise.resolve({ hosts: [] });
    const value = this.port(hosts, key)
      .observe(this.options.instance)
      .catch((err: unknown) => ({
        hosts: hosts.map((h) => ({
          name: h.name,
          reachable: false,
          error: messageOf(err),
          containers: [],
          images: [],
        })),
      }));
    this.observed = { key, at: this.now(), value };
    return value;
  }

  private port(hosts: HostSpec[], key: string): DockerPort {
    if (this.docker?.key === key) return this.docker.port;
    void this.docker?.port.close();
    this.docker = { key, port: this.options.dockerFor(hosts) };
    return this.docker.port;
  }
}

/** A hold from `dockhand rollback`, as the status shows it. */
export function holdStatus(hold: SyncHold): HoldStatus {
  return {
    app: hold.app,
    env: hold.env,
    at: hold.commit,
    since: hold.at,
    reason: `rolled back to spec ${hold.specHash.slice(0, 8)}; a commit that changes the app releases it`,
  };
}

/** A live preview as status shows it: its apps' URLs and when it expires without a push. */
export function previewStatus(record: PreviewRecord): PreviewStatus {
  return {
    env: record.env,
    apps: record.apps.map((a) => a.app),
    urls: record.apps.map((a) => a.url),
    expiresAt: record.expiresAt,
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
