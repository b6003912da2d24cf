/**
 * A tiny authoritative DNS server on loopback UDP that answers Caddy's SRV
 * lookups with the route table's upstreams (issue 5, "Route changes drop
 * nothing"). Any change of Caddy's config (/load, or a PATCH of one path,
 * which Caddy applies as a whole new config too) replaces its HTTP server and
 * closes idle client connections; a request sent on one at that moment gets no
 * answer. Caddy's `dynamic_upstreams` of source `srv` re-reads an app's
 * upstreams every `refresh` without touching the config, so rollouts never
 * load one. Caddy then dials the SRV target names, which this server also
 * answers: `127-0-0-1.ip4.dockhand.` for an IPv4 address, the 8 groups of an
 * IPv6 one under `ip6.dockhand.`, and any other name through the system
 * resolver (a host given by name in dockhand.yaml).
 */
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { lookup } from "node:dns/promises";
import { isIPv4, isIPv6 } from "node:net";

export interface SrvTarget {
  address: string;
  port: number;
}

const TYPE = { A: 1, AAAA: 28, SRV: 33 } as const;
const RCODE = { ok: 0, nxDomain: 3 } as const;

/** The SRV target name dockhand gives an upstream address (with the root dot). */
export function srvTargetName(address: string): string {
  if (isIPv4(address)) return `${address.replace(/\./g, "-")}.ip4.dockhand.`;
  if (isIPv6(address)) return `${expandIPv6(address).join("-")}.ip6.dockhand.`;
  return address.endsWith(".") ? address : `${address}.`;
}

function expandIPv6(address: string): string[] {
  const [head = "", tail] = address.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0");
  return [...left, ...(tail === undefined ? [] : zeros), ...right].map((g) => Number.parseInt(g, 16).toString(16));
}

/** The address a dockhand target name stands for; undefined for names it does not make. */
function addressOf(name: string): string | undefined {
  const v4 = /^(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})\.ip4\.dockhand\.$/.exec(name);
  if (v4) return v4.slice(1).join(".");
  const v6 = /^((?:[0-9a-f]{1,4}-){7}[0-9a-f]{1,4})\.ip6\.dockhand\.$/.exec(name);
  return v6?.[1]?.replace(/-/g, ":");
}

interface Question {
  id: number;
  flags: number;
  name: string;
  type: number;
  /** The question section as received, echoed in the answer. */
  raw: Buffer;
}

function parseQuestion(msg: Buffer): Question | undefined {
  if (msg.length < 12 || msg.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let at = 12;
  for (;;) {
    const length = msg[at];
    if (length === undefined || length > 63) return undefined;
    at += 1;
    if (length === 0) break;
    labels.push(
      msg
        .subarray(at, at + length)
        .toString("latin1")
        .toLowerCase(),
    );
    at += length;
  }
  if (at + 4 > msg.length) return undefined;
  return {
    id: msg.readUInt16BE(0),
    flags: msg.readUInt16BE(2),
    name: `${labels.join(".")}.`,
    type: msg.readUInt16BE(at),
    raw: msg.subarray(12, at + 4),
  };
}

function encodeName(name: string): Buffer {
  const parts = name.split(".").filter(Boolean);
  return Buffer.concat([
    ...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, "latin1")])),
    Buffer.from([0]),
  ]);
}

/** One answer record whose owner is the question's name (a pointer to offset 12), TTL 0. */
function record(type: number, data: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt32BE(0, 6);
  head.writeUInt16BE(data.length, 10);
  return Buffer.concat([head, data]);
}

function srvData(target: SrvTarget): Buffer {
  const fixed = Buffer.alloc(6);
  fixed.writeUInt16BE(0, 0);
  fixed.writeUInt16BE(1, 2);
  fixed.writeUInt16BE(target.port, 4);
  // Uncompressed: RFC 2782 forbids compressing the target, and Go's parser refuses it.
  return Buffer.concat([fixed, encodeName(srvTargetName(target.address))]);
}

/**
 * The most an SRV answer may take: Go's resolver reads 1,232 bytes over UDP, and Caddy's resolver dials
 * UDP even for Go's TCP retry, so a longer answer cannot be had (about 25 upstreams of one app).
 */
export const SRV_ANSWER_LIMIT = 1_232;

/** The size of the answer to an SRV query for `name` (with the root dot). */
export function srvAnswerBytes(name: string, targets: readonly SrvTarget[]): number {
  const question = encodeName(name).length + 4;
  return targets.reduce((sum, t) => sum + 12 + 6 + encodeName(srvTargetName(t.address)).length, 12 + question);
}

function addressData(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split(".").map(Number));
  const bytes = Buffer.alloc(16);
  for (const [i, g] of expandIPv6(address).entries()) bytes.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  return bytes;
}

function reply(q: Question, rcode: number, answers: Buffer[]): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(q.id, 0);
  // QR, the query's opcode and RD, authoritative, recursion available (Go calls an empty answer without AA or RA a lame referral).
  head.writeUInt16BE(0x8000 | (q.flags & 0x7900) | 0x0400 | 0x0080 | rcode, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(answers.length, 6);
  return Buffer.concat([head, q.raw, ...answers]);
}

export class SrvDnsServer {
  private socket: Socket | undefined;
  private records: ReadonlyMap<string, SrvTarget[]> = new Map();

  /** Listen on host (a loopback address) and a free port. */
  async start(host: string): Promise<{ host: string; port: number }> {
    const socket = createSocket(isIPv6(host) ? "udp6" : "udp4");
    this.socket = socket;
    socket.on("message", (msg, from) => void this.answer(msg, from));
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, host, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    return { host, port: socket.address().port };
  }

  /** Replace every SRV name's targets (names with the root dot, lowercase). */
  setRecords(records: ReadonlyMap<string, SrvTarget[]>): void {
    this.records = records;
  }

  get current(): ReadonlyMap<string, SrvTarget[]> {
    return this.records;
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private async answer(msg: Buffer, from: RemoteInfo): Promise<void> {
    const q = parseQuestion(msg);
    if (!q) return;
    const { rcode, answers } = await this.lookup(q);
    this.socket?.send(reply(q, rcode, answers), from.port, from.address);
  }

  private async lookup(q: Question): Promise<{ rcode: number; answers: Buffer[] }> {
    const targets = this.records.get(q.name);
    if (targets !== undefined) {
      return { rcode: RCODE.ok, answers: q.type === TYPE.SRV ? targets.map((t) => record(TYPE.SRV, srvData(t))) : [] };
    }
    const own = addressOf(q.name);
    if (own === undefined && q.name.endsWith(".dockhand.")) return { rcode: RCODE.nxDomain, answers: [] };
    if (q.type !== TYPE.A && q.type !== TYPE.AAAA) return { rcode: RCODE.ok, answers: [] };
    const family = q.type === TYPE.A ? 4 : 6;
    if (own !== undefined) {
      const fits = family === 4 ? isIPv4(own) : isIPv6(own);
      return { rcode: RCODE.ok, answers: fits ? [record(q.type, addressData(own))] : [] };
    }
    try {
      const found = await lookup(q.name.slice(0, -1), { all: true, family });
      return { rcode: RCODE.ok, answers: found.map((f) => record(q.type, addressData(f.address))) };
    } catch {
      return { rcode: RCODE.nxDomain, answers: [] };
    }
  }
}
