/**
 * The deploy history in Redis (issue 8): recent deploys and their outcomes,
 * the syncs running now, each app's last outcome, running totals for
 * `/metrics`, and an audit stream of every applied plan. Every dockhand
 * process sharing the Redis (serve, workers, `dockhand apply`) writes here, so
 * the dashboard and `dockhand status` see all of them.
 *
 * Keys, under the install's prefix (`dockhand:<instance>:`):
 *   deploys:recent     list of DeployRecord JSON, newest first (noop syncs are not deploys)
 *   deploys:current    hash run id ─▶ CurrentDeploy JSON
 *   deploys:last       hash env/app ─▶ AppLastOutcome JSON
 *   deploys:syncs      hash env ─▶ SyncRecord JSON (the last sync, noops included)
 *   deploys:totals     hash env/app/outcome ─▶ count
 *   deploys:durations  hash env/app|le ─▶ count, env/app|sum, env/app|count
 *   audit              stream of AuditRecord JSON (field `record`)
 *   deploys:changed    pub/sub channel: something above changed
 */
import type { Redis } from "ioredis";
import type {
  AppLastOutcome,
  AuditRecord,
  CurrentDeploy,
  DeployRecord,
  DeployStats,
  SyncRecord,
} from "../../model/index.js";
import { DEPLOY_HISTORY_DEFAULTS } from "./deploy-history-defaults.js";
import { DeployRun, type DeployRunStart, type HistoryKeys } from "./deploy-run.js";

export { DEPLOY_HISTORY_DEFAULTS } from "./deploy-history-defaults.js";

export interface DeployHistoryOptions {
  /** Key prefix of the install, e.g. `dockhand:default:`. */
  prefix: string;
  keepRecent?: number;
  keepAudit?: number;
  staleAfterMs?: number;
  /** Where failed writes are reported; a history write never fails a deploy. Default: dropped. */
  onError?: (err: Error) => void;
  now?: () => number;
}

export class DeployHistory {
  readonly keys: HistoryKeys;
  private readonly keepRecent: number;
  private readonly keepAudit: number;
  private readonly staleAfterMs: number;
  readonly now: () => number;
  readonly onError: (err: Error) => void;

  constructor(
    readonly redis: Redis,
    options: DeployHistoryOptions,
  ) {
    const p = options.prefix;
    this.keys = {
      recent: `${p}deploys:recent`,
      current: `${p}deploys:current`,
      last: `${p}deploys:last`,
      syncs: `${p}deploys:syncs`,
      totals: `${p}deploys:totals`,
      durations: `${p}deploys:durations`,
      audit: `${p}audit`,
      changed: `${p}deploys:changed`,
    };
    this.keepRecent = options.keepRecent ?? DEPLOY_HISTORY_DEFAULTS.keepRecent;
    this.keepAudit = options.keepAudit ?? DEPLOY_HISTORY_DEFAULTS.keepAudit;
    this.staleAfterMs = options.staleAfterMs ?? DEPLOY_HISTORY_DEFAULTS.staleAfterMs;
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => {});
  }

  /** Starts recording one sync; the run writes its progress and outcome here. */
  begin(start: DeployRunStart): DeployRun {
    return new DeployRun(this, start, { keepRecent: this.keepRecent, keepAudit: this.keepAudit });
  }

  async recent(limit = 20): Promise<DeployRecord[]> {
    return parseAll<DeployRecord>(await this.redis.lrange(this.keys.recent, 0, limit - 1));
  }

  /** Syncs running now, oldest first; entries of dead workers are dropped on the way. */
  async current(): Promise<CurrentDeploy[]> {
    const entries = await this.redis.hgetall(this.keys.current);
    const live: CurrentDeploy[] = [];
    for (const [id, text] of Object.entries(entries)) {
      const run = parseOne<CurrentDeploy>(text);
      if (run && this.now() - run.updatedAt < this.staleAfterMs) live.push(run);
      else await this.redis.hdel(this.keys.current, id);
    }
    return live.sort((a, b) => a.startedAt - b.startedAt);
  }

  async lastOutcomes(): Promise<AppLastOutcome[]> {
    return parseAll<AppLastOutcome>(Object.values(await this.redis.hgetall(this.keys.last)));
  }

  async lastSyncs(): Promise<SyncRecord[]> {
    return parseAll<SyncRecord>(Object.values(await this.redis.hgetall(this.keys.syncs)));
  }

  /** Newest first. */
  async audit(limit = 20): Promise<AuditRecord[]> {
    const entries = await this.redis.xrevrange(this.keys.audit, "+", "-", "COUNT", limit);
    return parseAll<AuditRecord>(entries.map(([, fields]) => fields[1] ?? ""));
  }

  async stats(): Promise<DeployStats> {
    const [totals, durations] = await Promise.all([
      this.redis.hgetall(this.keys.totals),
      this.redis.hgetall(this.keys.durations),
    ]);
    return { deploys: parseTotals(totals), durations: parseDurations(durations) };
  }

  /** Calls `onChange` whenever any process records something. Returns an unsubscribe function. */
  async subscribe(onChange: () => void): Promise<() => Promise<void>> {
    const subscriber = this.redis.duplicate();
    subscriber.on("error", () => {});
    subscriber.on("message", () => onChange());
    await subscriber.subscribe(this.keys.changed);
    return async () => {
      subscriber.disconnect();
    };
  }
}

function parseOne<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

function parseAll<T>(texts: string[]): T[] {
  return texts.map((t) => parseOne<T>(t)).filter((t): t is T & {} => t !== undefined && t !== null);
}

function parseTotals(hash: Record<string, string>): DeployStats["deploys"] {
  return Object.entries(hash)
    .map(([field, count]) => {
      const [env = "", app = "", outcome = ""] = field.split("/");
      return { env, app, outcome: outcome as DeployStats["deploys"][number]["outcome"], count: Number(count) };
    })
    .sort((a, b) => `${a.env}/${a.app}/${a.outcome}`.localeCompare(`${b.env}/${b.app}/${b.outcome}`));
}

/** Buckets no rollout fell into have no field; they are filled in with 0 so every app shows every bound. */
function parseDurations(hash: Record<string, string>): DeployStats["durations"] {
  const byApp = new Map<string, DeployStats["durations"][number]>();
  const bounds = [...DEPLOY_HISTORY_DEFAULTS.durationBuckets, Number.POSITIVE_INFINITY];
  for (const [field, value] of Object.entries(hash)) {
    const [key = "", what = ""] = field.split("|");
    const [env = "", app = ""] = key.split("/");
    let entry = byApp.get(key);
    if (!entry) {
      entry = { env, app, buckets: bounds.map((le) => ({ le, count: 0 })), sum: 0, count: 0 };
      byApp.set(key, entry);
    }
    const le = what === "+Inf" ? Number.POSITIVE_INFINITY : Number(what);
    const bucket = entry.buckets.find((b) => b.le === le);
    if (what === "sum") entry.sum = Number(value);
    else if (what === "count") entry.count = Number(value);
    else if (bucket) bucket.count = Number(value);
  }
  return [...byApp.values()].sort((a, b) => `${a.env}/${a.app}`.localeCompare(`${b.env}/${b.app}`));
}
