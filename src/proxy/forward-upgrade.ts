/**
 * WebSocket (and any other HTTP/1.1 Upgrade) through the proxy: open a TCP
 * connection to an upstream, send the handshake with node's HTTP client, and
 * read the answer with its parser. Only a 101 turns the two connections into
 * a tunnel of raw bytes both ways. Any other answer is one HTTP response: the
 * client gets its status, headers and body, then both connections close. So
 * bytes the client sent with or after the handshake (a second request, say)
 * reach the upstream only once it has agreed to switch protocols, and an
 * upstream that refuses cannot be made into a raw pipe past the proxy.
 * An open upgraded connection counts as in flight, so a drain waits for it.
 */
import { type ClientRequest, request as httpRequest, type IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Upstream } from "../model/index.js";
import { downstreamResponseHeaders } from "./forward-headers.js";
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
  /** From the handshake sent to the upstream's answer. */
  headersTimeoutMs: number;
  /** Longest silence in a refusal's body. */
  bodyTimeoutMs: number;
  log: ProxyLog;
  /** Open client and upstream connections of upgrades, so stop() can close them. */
  sockets: Set<Duplex>;
}

/** What the handshake carries to the upstream. */
export interface Handshake {
  req: IncomingMessage;
  /** Bytes the client sent after the handshake's head: held until the upstream answers 101. */
  head: Buffer;
  /** Flat [name, value, ...] list for the upstream (forward-headers.ts). */
  headers: readonly string[];
  requestId: string;
}

export function rejectUpgrade(
  socket: Duplex,
  status: number,
  reason: string,
  extra: Record<string, string> = {},
  body = `${reason.toLowerCase()}\n`,
): void {
  const lines = [
    `HTTP/1.1 ${status} ${reason}`,
    "Content-Type: text/plain; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  for (const [name, value] of Object.entries(extra)) lines.push(`${name}: ${value}`);
  lines.push("Connection: close");
  socket.end(`${lines.join("\r\n")}\r\n\r\n${body}`);
  closeAfterAnswer(socket);
}

/**
 * After the last byte of an answer: what the client still sends is read and dropped (unread bytes would
 * keep the half-closed socket, and the server's close, waiting forever), and a client that never closes
 * its side is cut after a grace period.
 */
function closeAfterAnswer(socket: Duplex): void {
  socket.on("error", () => socket.destroy());
  socket.resume();
  setTimeout(() => socket.destroy(), HALF_CLOSE_GRACE_MS).unref();
}

export function forwardUpgrade(
  handshake: Handshake,
  client: Duplex,
  balancer: UpstreamBalancer,
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
      socket.removeAllListeners("timeout");
      socket.setTimeout(0);
      client.off("error", onEarlyError);
      if (client.destroyed) {
        socket.destroy();
        return;
      }
      exchange(handshake, client, socket, upstream, settings);
    });
  };
  attempt();
}

/** Sends the handshake on the open connection and acts on the answer: a tunnel on 101, else one response. */
function exchange(
  handshake: Handshake,
  client: Duplex,
  socket: Socket,
  upstream: Upstream,
  settings: UpgradeSettings,
): void {
  const { registry, sockets } = settings;
  registry.recordSuccess(upstream);
  registry.begin(upstream);
  sockets.add(client);
  sockets.add(socket);
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    sockets.delete(client);
    sockets.delete(socket);
    registry.end(upstream);
  };
  let answered = false;
  let request: ClientRequest;
  try {
    request = httpRequest({
      method: handshake.req.method,
      path: handshake.req.url,
      headers: [...handshake.headers],
      createConnection: () => socket,
    });
  } catch (err) {
    // node's client refuses a target or header it would not send; the server's parser let it through.
    settings.log.debug({ err: (err as Error).message }, "upgrade: handshake not sendable");
    rejectUpgrade(client, 400, "Bad Request");
    socket.destroy();
    finish();
    return;
  }
  const abort = (): void => {
    request.destroy();
  };
  client.on("error", abort).on("close", abort);
  const answer = (): void => {
    answered = true;
    client.off("error", abort).off("close", abort);
  };
  request.setTimeout(settings.headersTimeoutMs, () =>
    request.destroy(Object.assign(new Error("upstream headers timeout"), { code: "ETIMEDOUT" })),
  );
  request.on("upgrade", (res: IncomingMessage, upgraded: Duplex, upstreamHead: Buffer) => {
    answer();
    splice(client, upgraded as Socket, switchingHead(res), upstreamHead, handshake.head, settings, finish);
  });
  request.on("response", (res: IncomingMessage) => {
    answer();
    passOnRefusal(res, client, socket, handshake.requestId, settings, finish);
  });
  request.on("error", (err: NodeJS.ErrnoException) => {
    settings.log.debug({ upstream: upstream.container, err: err.code ?? err.message }, "upgrade: handshake failed");
    if (answered) return;
    if (!client.destroyed) {
      if (err.code === "ETIMEDOUT") rejectUpgrade(client, 504, "Gateway Timeout");
      else rejectUpgrade(client, 502, "Bad Gateway");
    }
  });
  request.on("close", () => {
    if (answered) return;
    socket.destroy();
    finish();
  });
  request.end();
}

/** The 101 as the upstream sent it (node's parser has already checked every header line). */
function switchingHead(res: IncomingMessage): string {
  let out = `HTTP/1.1 101 ${res.statusMessage ?? "Switching Protocols"}\r\n`;
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) out += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`;
  return `${out}\r\n`;
}

/**
 * Any answer but 101: the client gets it as one response (hop-by-hop headers
 * dropped, `Connection: close`, the body as the parser read it) and EOF. What
 * the client sent with or after the handshake is never passed on, and bytes the
 * upstream sends after its response are not either.
 */
function passOnRefusal(
  res: IncomingMessage,
  client: Duplex,
  socket: Socket,
  requestId: string,
  settings: UpgradeSettings,
  finish: () => void,
): void {
  socket.setTimeout(settings.bodyTimeoutMs, () => socket.destroy());
  const headers = downstreamResponseHeaders(res.headers, requestId);
  let head = `HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? ""}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    for (const one of Array.isArray(value) ? value : [value]) head += `${name}: ${one}\r\n`;
  }
  client.write(`${head}connection: close\r\n\r\n`);
  // Whatever the client sends now is read and dropped: it has nowhere to go.
  client.resume();
  const close = (): void => {
    socket.destroy();
    finish();
  };
  res.pipe(client);
  res.on("end", () => {
    closeAfterAnswer(client);
    close();
  });
  // The upstream went away mid-body (or was cut for silence): the client must not take a short body as whole.
  res.on("close", () => {
    if (!res.complete) client.destroy();
    close();
  });
  client.on("error", close).on("close", close);
}

function splice(
  client: Duplex,
  socket: Socket,
  head: string,
  upstreamHead: Buffer,
  clientHead: Buffer,
  settings: UpgradeSettings,
  finish: () => void,
): void {
  const { sockets } = settings;
  socket.setTimeout(0);
  socket.setNoDelay(true);
  let open = 2;
  // One side closing ends the other (flushing what it still has to write); a peer that never closes is cut later.
  const onClose = (self: Duplex, other: Duplex) => (): void => {
    sockets.delete(self);
    other.end();
    setTimeout(() => other.destroy(), HALF_CLOSE_GRACE_MS).unref();
    if (--open === 0) finish();
  };
  const fail = (): void => {
    client.destroy();
    socket.destroy();
  };
  socket.on("error", fail).on("close", onClose(socket, client));
  client.on("error", fail).on("close", onClose(client, socket));
  client.write(head);
  if (upstreamHead.length > 0) client.write(upstreamHead);
  if (clientHead.length > 0) socket.write(clientHead);
  socket.pipe(client);
  client.pipe(socket);
}
