/**
 * Follows route changes on a pub/sub connection. Each announcement carries
 * the epoch and the new version ("<epoch> <version>"); a reload runs at most
 * once at a time, and announcements
 * that arrive during a reload fold into one more reload after it (a burst of
 * twenty changes costs two reloads, not twenty).
 */
import type { Redis } from "ioredis";
import type { RouteTable } from "../model/index.js";
import type { ProxyLog } from "./proxy-log.js";
import { isNewer, type TableStamp } from "./table-order.js";

export interface RouteSubscriptionOptions {
  /** A connection of its own: it goes into subscriber mode and is closed by the returned function. */
  connection: Redis;
  channel: string;
  load: () => Promise<RouteTable>;
  onChange: (table: RouteTable) => void;
  log: ProxyLog;
}

export async function subscribeToRoutes(o: RouteSubscriptionOptions): Promise<() => Promise<void>> {
  const sub = o.connection;
  let delivered: TableStamp = { version: -1 };
  let running = false;
  let again = false;
  let closed = false;

  const reload = async (): Promise<void> => {
    running = true;
    do {
      again = false;
      try {
        const table = await o.load();
        if (!closed && isNewer(table, delivered)) {
          delivered = { epoch: table.epoch, version: table.version };
          o.onChange(table);
        }
      } catch (err) {
        o.log.warn({ channel: o.channel, err: (err as Error).message }, "routes not reloaded; keeping the last table");
      }
    } while (again && !closed);
    running = false;
  };
  const schedule = (): void => {
    if (closed) return;
    if (running) again = true;
    else void reload();
  };

  sub.on("message", (channel: string, message: string) => {
    if (channel !== o.channel) return;
    const [epoch, text] = message.split(" ");
    const version = Number(text);
    if (epoch && Number.isFinite(version) && !isNewer({ epoch, version }, delivered)) return;
    schedule();
  });
  // Announcements made while this connection was down are lost: every (re)connect reloads.
  sub.on("ready", schedule);
  sub.on("error", (err: Error) =>
    o.log.debug({ channel: o.channel, err: err.message }, "route subscription connection error"),
  );
  await sub.subscribe(o.channel);
  schedule();

  return async () => {
    closed = true;
    sub.removeAllListeners("message");
    sub.removeAllListeners("ready");
    if (sub.status === "ready") await sub.quit().catch(() => sub.disconnect());
    else sub.disconnect();
  };
}
