/**
 * Who dockhand is on an SSH host: the SSH agent (SSH_AUTH_SOCK) first, then
 * the private key file DOCKHAND_SSH_KEY (passphrase-less, or with
 * DOCKHAND_SSH_KEY_PASSPHRASE). Read from dockhand's environment at every
 * connect, never from the deploy repo. Each one is described (the agent's
 * socket and keys, the file and its key's fingerprint) so that a refusal says
 * which keys the server turned down.
 */
import { readFile } from "node:fs/promises";
import ssh2, { type AnyAuthMethod, type ParsedKey } from "ssh2";
import { fingerprintOf } from "./ssh-known-hosts.js";

export interface SshCredentials {
  /** In the order they are offered. */
  methods: AnyAuthMethod[];
  /** The agent's socket (SSH_AUTH_SOCK) and the key file (DOCKHAND_SSH_KEY) behind them, when set. */
  agent?: string;
  keyFile?: string;
  /** What was offered, for the message when the server refuses all of it. */
  describe(): Promise<string>;
}

function keyName(key: ParsedKey): string {
  return `${key.type} ${fingerprintOf(key.getPublicSSH())}`;
}

/** The keys the agent holds, or why it could not say. */
function agentKeys(socket: string): Promise<string> {
  return new Promise((resolve) => {
    new ssh2.OpenSSHAgent(socket).getIdentities((err, keys) => {
      if (err) resolve(`cannot list its keys: ${err.message}`);
      else if (!keys || keys.length === 0) resolve("it holds no keys");
      else resolve((keys as ParsedKey[]).map(keyName).join(", "));
    });
  });
}

async function readKeyFile(path: string, passphrase: string | undefined): Promise<ParsedKey> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    throw new Error(`cannot read DOCKHAND_SSH_KEY ${path}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = ssh2.utils.parseKey(data, passphrase);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error || key === undefined) {
    const why = key instanceof Error ? key.message : "no key in it";
    const hint = /passphrase/i.test(why)
      ? passphrase === undefined
        ? ": it is encrypted, set DOCKHAND_SSH_KEY_PASSPHRASE"
        : ": is DOCKHAND_SSH_KEY_PASSPHRASE right?"
      : ": expected an OpenSSH or PEM private key";
    throw new Error(`DOCKHAND_SSH_KEY ${path}: ${why}${hint}`);
  }
  if (!key.isPrivateKey()) {
    throw new Error(`DOCKHAND_SSH_KEY ${path} holds a public key; name the private key file (without .pub)`);
  }
  return key;
}

/** Throws an Error that says what to fix when there is nothing to log in with or the key file is bad. */
export async function sshCredentials(user: string, env: NodeJS.ProcessEnv): Promise<SshCredentials> {
  const agent = env.SSH_AUTH_SOCK?.trim() || undefined;
  const keyPath = env.DOCKHAND_SSH_KEY?.trim() || undefined;
  if (!agent && !keyPath) {
    throw new Error(
      "no SSH credentials: run dockhand with an SSH agent (SSH_AUTH_SOCK) that holds the key, or set DOCKHAND_SSH_KEY to a private key file",
    );
  }
  const methods: AnyAuthMethod[] = [];
  if (agent) methods.push({ type: "agent", username: user, agent });
  const key = keyPath ? await readKeyFile(keyPath, env.DOCKHAND_SSH_KEY_PASSPHRASE) : undefined;
  if (key) methods.push({ type: "publickey", username: user, key });
  return {
    methods,
    ...(agent ? { agent } : {}),
    ...(keyPath ? { keyFile: keyPath } : {}),
    describe: async () => {
      const offered: string[] = [];
      if (agent) offered.push(`the SSH agent at ${agent} (SSH_AUTH_SOCK; ${await agentKeys(agent)})`);
      if (key && keyPath) offered.push(`DOCKHAND_SSH_KEY ${keyPath} (${keyName(key)})`);
      return offered.join(" and ");
    },
  };
}
