import { Redis, type RedisOptions } from "ioredis";

/**
 * One place that turns a Redis URL into an ioredis client. Accepts the usual
 * redis:// and rediss:// URLs and `redis+unix:///path.sock` for the private
 * server. BullMQ workers block on Redis, so requests are never given up on
 * (maxRetriesPerRequest: null, as BullMQ requires).
 */
export function connectRedis(url: string, options: RedisOptions = {}, onError?: (err: Error) => void): Redis {
  const base: RedisOptions = { maxRetriesPerRequest: null, ...options };
  const unix = /^(?:redis\+unix|unix):\/\/(\/.+)$/.exec(url);
  const client = unix?.[1] ? new Redis({ ...base, path: unix[1] }) : new Redis(url, base);
  // ioredis reconnects by itself; without a listener every failed attempt would print a stack trace.
  client.on("error", onError ?? (() => {}));
  return client;
}
