/**
 * The shared route table in Redis (docs/proxy.md#the-route-table):
 *   <prefix>routes          hash, field "env/app" ─▶ JSON AppRoute
 *   <prefix>routes:version  counter, bumped by every change
 *   <prefix>routes:epoch    random id, set when the table is created (first write or read)
 *   <prefix>routes:changed  pub/sub channel, message = "<epoch> <version>"
 * Each change is one Lua script, so the write, the version bump and the
 * announcement are one atomic step: no reader sees a change without its
 * version, and no change goes unannounced because a writer died in between.
 * A wiped Redis loses the counter, and versions start again at 1: the new
 * epoch tells proxies to take those tables anyway (table-order.ts).
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { AppRoute, RouteStore, RouteTable } from "../model/index.js";
import { routeEpochKey, routeKey } from "../model/index.js";
import type { ProxyLog } from "./proxy-log.js";
import { decodeAppRoute, encodeAppRoute } from "./route-codec.js";
import { readRouteSnapshot, writeRouteSnapshot } from "./route-snapshot.js";
import { subscribeToRoutes } from "./route-subscription.js";
import { isNewer, type TableStamp } from "./table-order.js";

export const DEFAULT_ROUTE_PREFIX = "dockhand:default:";

export interface RedisRouteStoreOptions {
  /** An ioredis client (the store closes it in close()) or a redis:// URL. */
  redis: Redis | string;
  /** Key prefix; default DEFAULT_ROUTE_PREFIX ("dockhand:default:"). */
  prefix?: string;
  /** When set, every table loaded is also written here, atomically, for loadSnapshot(). */
  snapshotFile?: string;
  log?: ProxyLog;
}

/** KEYS: routes, version, epoch. ARGV: field, json, channel, a new epoch id (kept only if none is set). */
const SET_APP = `
redis.call('SET', KEYS[3], ARGV[4], 'NX')
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return tonumber(redis.call('GET', KEYS[2]) or '0')
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local v = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[3], redis.call('GET', KEYS[3]) .. ' ' .. v)
return v`;

/** KEYS: routes, version, epoch. ARGV: field, channel, a new epoch id. */
const REMOVE_APP = `
redis.call('SET', KEYS[3], ARGV[3], 'NX')
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then
  return tonumber(redis.call('GET', KEYS[2]) or '0')
end
local v = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[2], redis.call('GET', KEYS[3]) .. ' ' .. v)
return v`;

function newEpoch(): string {
  return randomBytes(8).toString("hex");
}

const quiet: ProxyLog = { debug() {}, info() {}, warn() {}, error() {} };

export class RedisRouteStore implements RouteStore {
  readonly keys: { routes: string; version: string; epoch: string; channel: string };
  private readonly redis: Redis;
  private readonly snapshotFile: string | undefined;
  private readonly log: ProxyLog;
  private readonly unsubscribers = new Set<() => Promise<void>>();
  private snapshotWrites: Promise<void> = Promise.resolve();
  private snapshotStamp: TableStamp = { version: -1 };

  constructor(options: RedisRouteStoreOptions) {
    const prefix = options.prefix ?? DEFAULT_ROUTE_PREFIX;
    this.keys = {
      routes: `${prefix}routes`,
      version: `${prefix}routes:version`,
      epoch: routeEpochKey(prefix),
      channel: `${prefix}routes:changed`,
    };
    this.snapshotFile = options.snapshotFile;
    this.log = options.log ?? quiet;
    // Commands wait for Redis however long it is away (like connectRedis): a proxy must not give up on its routes.
    this.redis =
      typeof options.redis === "string" ? new Redis(options.redis, { maxRetriesPerRequest: null }) : options.redis;
    // ioredis reconnects by itself; without a listener it would print every failed attempt. The store owns this client.
    this.redis.on("error", (err: Error) => this.log.debug({ err: err.message }, "route store connection error"));
  }

  /** One consistent read (MULTI/EXEC) of every route, the version and the epoch (set here if there is none yet). */
  async load(): Promise<RouteTable> {
    const replies = await this.redis
      .multi()
      .set(this.keys.epoch, newEpoch(), "NX")
      .hgetall(this.keys.routes)
      .get(this.keys.version)
      .get(this.keys.epoch)
      .exec();
    const [, hash, version, epoch] = (replies ?? []).map(([err, value]) => {
      if (err) throw err;
      return value;
    });
    const fields = Object.entries((hash ?? {}) as Record<string, string>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    const table: RouteTable = {
      epoch: String(epoch),
      version: Number(version ?? 0),
      routes: fields.map(([field, json]) => decodeAppRoute(`${this.keys.routes} field ${field}`, json)),
    };
    this.saveSnapshot(table);
    return table;
  }

  async setApp(route: AppRoute): Promise<number> {
    const json = encodeAppRoute(route);
    const field = routeKey(route.env, route.app);
    return Number(await this.redis.eval(SET_APP, 3, ...this.tableKeys(), field, json, this.keys.channel, newEpoch()));
  }

  async removeApp(env: string, app: string): Promise<number> {
    const field = routeKey(env, app);
    return Number(await this.redis.eval(REMOVE_APP, 3, ...this.tableKeys(), field, this.keys.channel, newEpoch()));
  }

  private tableKeys(): [string, string, string] {
    return [this.keys.routes, this.keys.version, this.keys.epoch];
  }

  /**
   * Listen on a second connection; reload on every announcement and on every
   * (re)connect, since announcements made while disconnected are lost.
   * Bursts are coalesced, and onChange only ever sees newer tables (a higher version, or a new epoch).
   */
  async subscribe(onChange: (table: RouteTable) => void): Promise<() => Promise<void>> {
    const unsubscribe = await subscribeToRoutes({
      connection: this.redis.duplicate({ maxRetriesPerRequest: null }),
      channel: this.keys.channel,
      load: () => this.load(),
      onChange,
      log: this.log,
    });
    const once = async (): Promise<void> => {
      this.unsubscribers.delete(once);
      await unsubscribe();
    };
    this.unsubscribers.add(once);
    return once;
  }

  /** The table last written to snapshotFile, if any. */
  async loadSnapshot(): Promise<RouteTable | undefined> {
    if (this.snapshotFile === undefined) return undefined;
    const table = await readRouteSnapshot(this.snapshotFile);
    if (table !== undefined && isNewer(table, this.snapshotStamp)) this.snapshotStamp = table;
    return table;
  }

  /** Resolves once the snapshot writes started so far are on disk. */
  async flushSnapshot(): Promise<void> {
    await this.snapshotWrites;
  }

  async close(): Promise<void> {
    await Promise.all([...this.unsubscribers].map((u) => u()));
    await this.flushSnapshot();
    await closeConnection(this.redis);
  }

  /** Writes run one after another, and only for a newer table, so the file never goes back in time. */
  private saveSnapshot(table: RouteTable): void {
    const file = this.snapshotFile;
    if (file === undefined || !isNewer(table, this.snapshotStamp)) return;
    this.snapshotStamp = { epoch: table.epoch, version: table.version };
    this.snapshotWrites = this.snapshotWrites.then(() =>
      writeRouteSnapshot(file, table).catch((err: unknown) => {
        this.log.warn({ file, err: (err as Error).message }, "route snapshot not written");
      }),
    );
  }
}

/** quit() waits for Redis to answer; a connection that is not up is just dropped. */
export async function closeConnection(redis: Redis): Promise<void> {
  if (redis.status === "ready") {
    await redis.quit().catch(() => redis.disconnect());
  } else {
    redis.disconnect();
  }
}
