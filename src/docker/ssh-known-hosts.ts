/**
 * OpenSSH's known_hosts format (sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT"),
 * read the way `ssh` reads it: comma-separated host patterns with `*`, `?`
 * and `!` negation, `[host]:port` for a port other than 22, hashed names
 * (`|1|salt|hash`, HMAC-SHA1 of the name keyed by the salt) and the
 * `@revoked` marker. `@cert-authority` lines are skipped: host certificates
 * are not checked here, so they can neither vouch for a key nor refuse one.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export interface KnownKey {
  /** 1-based line in the file, for messages. */
  line: number;
  /** `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, ... */
  type: string;
  /** The public key blob (what the base64 field decodes to). */
  blob: Buffer;
}

export interface KnownHostsEntry extends KnownKey {
  marker?: "revoked";
  patterns: string[];
}

/** What the file says about a key a server presented. */
export type HostKeyVerdict =
  | { kind: "known"; line: number }
  | { kind: "revoked"; line: number }
  | { kind: "changed"; known: KnownKey[] }
  | { kind: "unknown" };

/** The name a host is filed under: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Entries of a known_hosts file; lines that do not parse are skipped, as ssh skips them. */
export function parseKnownHosts(text: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  for (const [index, raw] of text.split("\n").entries()) {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === "" || fields[0].startsWith("#")) continue;
    let marker: string | undefined;
    if (fields[0].startsWith("@")) marker = fields.shift();
    const [hosts, type, key] = fields;
    if (!hosts || !type || !key || marker === "@cert-authority") continue;
    if (marker !== undefined && marker !== "@revoked") continue;
    const blob = Buffer.from(key, "base64");
    if (blob.length === 0 || keyTypeOf(blob) !== type) continue;
    entries.push({ line: index + 1, type, blob, patterns: hosts.split(","), ...(marker ? { marker: "revoked" } : {}) });
  }
  return entries;
}

/** `*` is any run of characters, `?` any one; case-insensitive, as ssh's match_pattern. */
function globMatches(pattern: string, name: string): boolean {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`, "i").test(name);
}

function hashedMatches(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split("|");
  if (magic !== "1" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A line's patterns match `name` when one matches and no negated one does. */
export function patternsMatch(patterns: string[], name: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith("!");
    const body = negated ? pattern.slice(1) : pattern;
    const hit = body.startsWith("|") ? hashedMatches(body, name) : globMatches(body, name);
    if (hit && negated) return false;
    if (hit) matched = true;
  }
  return matched;
}

/** The keys the file holds for `name` (not the revoked ones). */
export function knownKeysFor(entries: KnownHostsEntry[], name: string): KnownKey[] {
  return entries
    .filter((e) => e.marker === undefined && patternsMatch(e.patterns, name))
    .map(({ line, type, blob }) => ({ line, type, blob }));
}

/** Judge the key `blob` a server at `name` presented. */
export function judgeHostKey(entries: KnownHostsEntry[], name: string, blob: Buffer): HostKeyVerdict {
  const revoked = entries.find((e) => e.marker === "revoked" && e.blob.equals(blob) && patternsMatch(e.patterns, name));
  if (revoked) return { kind: "revoked", line: revoked.line };
  const known = knownKeysFor(entries, name);
  const same = known.find((k) => k.blob.equals(blob));
  if (same) return { kind: "known", line: same.line };
  return known.length > 0 ? { kind: "changed", known } : { kind: "unknown" };
}

/** The key type a public key blob names in its first field (`ssh-ed25519`), or "" when it has none. */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return "";
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || blob.length < 4 + length) return "";
  return blob.subarray(4, 4 + length).toString("latin1");
}

/** `SHA256:...` as `ssh-keygen -l` prints it. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** `ED25519 key SHA256:...`, `RSA key SHA256:...`: how ssh names a key in its messages. */
export function describeKey(blob: Buffer): string {
  const type = keyTypeOf(blob);
  const short = type.startsWith("ssh-") ? type.slice(4) : type.replace(/-sha2-.*$/, "");
  return `${short.toUpperCase()} key ${fingerprintOf(blob)}`;
}

/** The line that makes `name` known with this key. */
export function knownHostsLine(name: string, blob: Buffer): string {
  return `${name} ${keyTypeOf(blob)} ${blob.toString("base64")}`;
}

/**
 * Host key algorithms to offer a server whose keys are known, in ssh2's names:
 * as ssh does, ask only for the kinds of key the file holds for it, so a
 * server with several host keys shows the one we can check.
 */
export function hostKeyAlgorithms(known: KnownKey[]): string[] {
  const byType: Record<string, string[]> = {
    "ssh-ed25519": ["ssh-ed25519"],
    "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
    "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
    "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
    "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
  };
  return [...new Set(known.flatMap((k) => byType[k.type] ?? []))];
}
