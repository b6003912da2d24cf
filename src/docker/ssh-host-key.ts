/**
 * Host key checking for `docker: ssh://`, always on, as `ssh` does with
 * StrictHostKeyChecking=yes: the key a server shows must be in the
 * known_hosts file (DOCKHAND_SSH_KNOWN_HOSTS, else ~/.ssh/known_hosts). An
 * unknown key is refused with its fingerprint and the exact line to add; a
 * changed one is refused louder. DOCKHAND_SSH_ACCEPT_NEW=1 adds unknown keys
 * on first use (StrictHostKeyChecking=accept-new) and says so in the log;
 * it never accepts a changed or revoked key. The file is read at every
 * connect, so an edit takes effect without a restart.
 */
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { LineSink } from "../model/index.js";
import {
  describeKey,
  type HostKeyVerdict,
  hostKeyAlgorithms,
  judgeHostKey,
  type KnownHostsEntry,
  knownHostsLine,
  knownHostsName,
  knownKeysFor,
  parseKnownHosts,
} from "./ssh-known-hosts.js";
import type { SshRefusalFacts } from "./ssh-refusal.js";

export interface HostKeyPolicy {
  /** The known_hosts file. */
  file: string;
  /** Which setting chose it, for messages. */
  setting: string;
  acceptNew: boolean;
}

export function hostKeyPolicy(env: NodeJS.ProcessEnv): HostKeyPolicy {
  const explicit = env.DOCKHAND_SSH_KNOWN_HOSTS?.trim();
  const acceptNew = env.DOCKHAND_SSH_ACCEPT_NEW?.trim() === "1";
  if (explicit) return { file: explicit, setting: "DOCKHAND_SSH_KNOWN_HOSTS", acceptNew };
  const home = env.HOME?.trim() || homedir();
  return { file: join(home, ".ssh", "known_hosts"), setting: "the default; set DOCKHAND_SSH_KNOWN_HOSTS", acceptNew };
}

/** Where the server is and how to name it: `host beta (ssh://deploy@10.0.0.9:22)`. */
export interface HostKeyTarget {
  host: string;
  port: number;
  /** How the log names the host, e.g. `host beta (ssh://deploy@10.0.0.9)`. */
  who: string;
}

/** Why a host key was refused: the cause (without the host's name), and its facts. */
export interface HostKeyRefusal {
  text: string;
  facts: SshRefusalFacts;
}

/** One connection attempt's check: read the file first, then judge the key the server shows. */
export class HostKeyCheck {
  private entries: KnownHostsEntry[] = [];
  /** Why the key was refused, once it was. */
  refusal: HostKeyRefusal | undefined;

  constructor(
    private readonly policy: HostKeyPolicy,
    private readonly target: HostKeyTarget,
    private readonly log: LineSink,
  ) {}

  private get name(): string {
    return knownHostsName(this.target.host, this.target.port);
  }

  /** Reads the file; a missing file knows no hosts. Returns the host key algorithms to ask for, if any are known. */
  async load(): Promise<string[] | undefined> {
    let text = "";
    try {
      text = await readFile(this.policy.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    this.entries = parseKnownHosts(text);
    const algorithms = hostKeyAlgorithms(knownKeysFor(this.entries, this.name));
    return algorithms.length > 0 ? algorithms : undefined;
  }

  /** ssh2's hostVerifier: true lets the handshake go on. */
  async verify(blob: Buffer): Promise<boolean> {
    const verdict = judgeHostKey(this.entries, this.name, blob);
    if (verdict.kind === "known") return true;
    if (verdict.kind === "unknown" && this.policy.acceptNew) return await this.addKey(blob);
    this.refusal = this.refusalText(verdict, blob);
    return false;
  }

  private async addKey(blob: Buffer): Promise<boolean> {
    const line = knownHostsLine(this.name, blob);
    try {
      // As ssh does: ~/.ssh may not exist yet on a fresh account.
      await mkdir(dirname(this.policy.file), { recursive: true, mode: 0o700 });
      await appendFile(this.policy.file, `${line}\n`, { mode: 0o600 });
    } catch (err) {
      const { file } = this.policy;
      const why = (err as Error).message;
      this.refusal = {
        text: `DOCKHAND_SSH_ACCEPT_NEW=1 could not add its host key to ${file}: ${why}`,
        facts: { kind: "host-key-unsaved", shown: describeKey(blob), file, why, line },
      };
      return false;
    }
    this.log(
      `${this.target.who}: host key ${describeKey(blob)} was not known; added to ${this.policy.file} (DOCKHAND_SSH_ACCEPT_NEW=1): ${line}`,
    );
    return true;
  }

  private refusalText(verdict: Exclude<HostKeyVerdict, { kind: "known" }>, blob: Buffer): HostKeyRefusal {
    const { file, setting } = this.policy;
    const line = knownHostsLine(this.name, blob);
    const shown = describeKey(blob);
    const serverKeyFile = `/etc/ssh/ssh_host_${keyFileType(blob)}_key.pub`;
    if (verdict.kind === "revoked") {
      const at = `${file}:${verdict.line}`;
      return {
        text: `the server's host key ${shown} is marked @revoked at ${at}; refusing to connect`,
        facts: { kind: "host-key-revoked", shown, file, at },
      };
    }
    if (verdict.kind === "unknown") {
      return {
        text:
          `the server's host key is not known: ${shown}. ` +
          `Check it on the server (ssh-keygen -lf ${serverKeyFile}); if it matches, ` +
          `add this line to ${file} (${setting}): ${line}` +
          " (or set DOCKHAND_SSH_ACCEPT_NEW=1 to add keys of new hosts on first use)",
        facts: { kind: "host-key-unknown", shown, serverKeyFile, file, setting, line },
      };
    }
    const held = verdict.known.map((k) => ({ key: describeKey(k.blob), at: `${file}:${k.line}` }));
    return {
      text:
        `WARNING: THE SERVER'S HOST KEY HAS CHANGED. It shows ${shown}, ` +
        `but ${held.map((h) => `${h.key} at ${h.at}`).join(", ")} is what it should show. Someone may be intercepting the connection (a man in the middle), ` +
        "or the server's key was replaced. Refusing to connect. If the change is expected, check the new key " +
        `on the server and replace the old line with: ${line}`,
      facts: { kind: "host-key-changed", shown, serverKeyFile, held, line },
    };
  }
}

/** The file name part ssh-keygen gives each type: ssh_host_ed25519_key, ssh_host_rsa_key, ssh_host_ecdsa_key. */
function keyFileType(blob: Buffer): string {
  const described = describeKey(blob);
  if (described.startsWith("ED25519")) return "ed25519";
  if (described.startsWith("RSA")) return "rsa";
  return "ecdsa";
}
