/**
 * WebSocket (and any other HTTP/1.1 Upgrade) through the proxy: open a TCP
 * connection to an upstream, replay the handshake request, then pipe bytes
 * both ways. The upstream's answer (101 or a refusal) reaches the client as is.
 * An open upgraded connection counts as in flight, so a drain waits for it.
 */
import type { IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Upstream } from "../model/index.js";
import type { ProxyLog } from "./proxy-log.js";
import { type BalanceStrategy, originOf, type UpstreamBalancer } from "./upstream-balancer.js";
import type { UpstreamRegistry } from "./upstream-registry.js";

/** How long one side of an upgraded connection may stay open after the other closed. */
const HALF_CLOSE_GRACE_MS = 5_000;

export interface UpgradeSettings {
  registry: UpstreamRegistry;
  strategy: BalanceStrategy;
  maxAttempts: number;
  connectTimeoutMs: number;
  log: ProxyLog;
  /** Open upgraded connections, so stop() can close them. */
  sockets: Set<Duplex>;
}

export function rejectUpgrade(
  socket: Duplex,
  status: number,
  reason: string,
  extra: Record<string, string> = {},
): void {
  const body = `${reason.toLowerCase()}\n`;
  const lines = [
    `HTTP/1.1 ${status} ${reason}`,
    "Content-Type: text/plain; charset=utf-8",
    `Content-Length: ${body.length}`,
  ];
  for (const [name, value] of Object.entries(extra)) lines.push(`${name}: ${value}`);
  lines.push("Connection: close");
  socket.end(`${lines.join("\r\n")}\r\n\r\n${body}`);
}

function handshake(req: IncomingMessage, headers: readonly string[]): string {
  let out = `${req.method} ${req.url} HTTP/1.1\r\n`;
  for (let i = 0; i + 1 < headers.length; i += 2) out += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return `${out}\r\n`;
}

export function forwardUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  balancer: UpstreamBalancer,
  headers: readonly string[],
  settings: UpgradeSettings,
): void {
  const tried = new Set<string>();
  const onEarlyError = (): void => {
    client.destroy();
  };
  client.on("error", onEarlyError);
  const attempt = (): void => {
    const upstream = balancer.pick(settings.strategy, settings.registry, tried);
    if (upstream === undefined || tried.size >= settings.maxAttempts) {
      rejectUpgrade(client, 502, "Bad Gateway");
      return;
    }
    const socket = connect({ host: upstream.address, port: upstream.port });
    socket.setTimeout(settings.connectTimeoutMs, () =>
      socket.destroy(Object.assign(new Error("connect timeout"), { code: "ETIMEDOUT" })),
    );
    socket.once("error", (err: NodeJS.ErrnoException) => {
      settings.registry.recordFailure(upstream);
      settings.log.debug(
        { upstream: upstream.container, err: err.code ?? err.message },
        "upgrade: upstream connect failed",
      );
      tried.add(originOf(upstream));
      if (!client.destroyed) attempt();
    });
    socket.once("connect", () => {
      socket.removeAllListeners("error");
      socket.setTimeout(0);
      client.off("error", onEarlyError);
      if (client.destroyed) {
        socket.destroy();
        return;
      }
      splice(req, client, head, socket, upstream, headers, settings);
    });
  };
  attempt();
}

function splice(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  socket: Socket,
  upstream: Upstream,
  headers: readonly string[],
  settings: UpgradeSettings,
): void {
  const { registry, sockets } = settings;
  registry.recordSuccess(upstream);
  registry.begin(upstream);
  sockets.add(client);
  sockets.add(socket);
  let open = 2;
  // One side closing ends the other (flushing what it still has to write); a peer that never closes is cut later.
  const onClose = (self: Duplex, other: Duplex) => (): void => {
    sockets.delete(self);
    other.end();
    setTimeout(() => other.destroy(), HALF_CLOSE_GRACE_MS).unref();
    if (--open === 0) registry.end(upstream);
  };
  const fail = (): void => {
    client.destroy();
    socket.destroy();
  };
  socket.on("error", fail).on("close", onClose(socket, client));
  client.on("error", fail).on("close", onClose(client, socket));
  socket.setNoDelay(true);
  socket.write(handshake(req, headers));
  if (head.length > 0) socket.write(head);
  socket.pipe(client);
  client.pipe(socket);
}
