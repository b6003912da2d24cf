/**
 * The test bed's addresses, as written by scripts/testbed/up.sh. Integration
 * tests read them here and fail with a clear message when the bed is down,
 * rather than each test finding out on its own.
 */
import { readFileSync } from "node:fs";
import type { HostSpec } from "../../src/model/index.js";

export const TESTBED_ENV_FILE = "/var/lib/dockhand-testbed/env";

export interface Testbed {
  alpha: string;
  beta: string;
  betaCerts: string;
  betaSocket: string;
  redisUrl: string;
}

function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^(?:export\s+)?([A-Z0-9_]+)=["']?(.*?)["']?$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}

/** A reader of the env file's keys that fails with what to run when one is missing. */
function testbedEnv(): (key: string) => string {
  let text: string;
  try {
    text = readFileSync(TESTBED_ENV_FILE, "utf8");
  } catch {
    throw new Error(`the test bed is not up (${TESTBED_ENV_FILE} missing): run bash scripts/testbed/up.sh`);
  }
  const env = parseEnvFile(text);
  return (key) => {
    const value = env[key];
    if (!value) throw new Error(`${TESTBED_ENV_FILE} lacks ${key}: run bash scripts/testbed/up.sh again`);
    return value;
  };
}

let cached: Testbed | undefined;

export function testbed(): Testbed {
  if (cached) return cached;
  const need = testbedEnv();
  cached = {
    alpha: need("DOCKHAND_TESTBED_ALPHA"),
    beta: need("DOCKHAND_TESTBED_BETA"),
    betaCerts: need("DOCKHAND_TESTBED_BETA_CERTS"),
    betaSocket: need("DOCKHAND_TESTBED_BETA_SOCKET"),
    redisUrl: need("DOCKHAND_TESTBED_REDIS_URL"),
  };
  return cached;
}

export interface TestbedRegistry {
  /** `127.0.0.1:5000`: both engines reach it, over plain HTTP (dockerd trusts 127.0.0.0/8). */
  address: string;
  user: string;
  password: string;
  /** A docker config.json holding the credentials (`auths`), for DOCKHAND_REGISTRY_AUTH. */
  authFile: string;
}

/** The test bed's registry (scripts/testbed/registry.sh): htpasswd auth, storage kept across restarts. */
export function testbedRegistry(): TestbedRegistry {
  const need = testbedEnv();
  return {
    address: need("DOCKHAND_TESTBED_REGISTRY"),
    user: need("DOCKHAND_TESTBED_REGISTRY_USER"),
    password: need("DOCKHAND_TESTBED_REGISTRY_PASSWORD"),
    authFile: need("DOCKHAND_TESTBED_REGISTRY_AUTH"),
  };
}

export interface TestbedPebble {
  directory: string;
  /** The CA of Pebble's own HTTPS listeners: what an ACME client must trust to talk to it. */
  httpsCa: string;
  /** Management API URL of the root that signs what Pebble issues. */
  roots: string;
}

/** The test bed's Pebble (scripts/testbed/pebble.sh), the ACME server Caddy's HTTPS is tested against. */
export function testbedPebble(): TestbedPebble {
  const need = testbedEnv();
  return {
    directory: need("DOCKHAND_TESTBED_PEBBLE_DIRECTORY"),
    httpsCa: need("DOCKHAND_TESTBED_PEBBLE_HTTPS_CA"),
    roots: need("DOCKHAND_TESTBED_PEBBLE_ROOTS"),
  };
}

export interface TestbedSsh {
  /** `ssh://root@127.0.0.2:2222`: the test bed's sshd (scripts/testbed/sshd.sh), in front of beta's socket. */
  endpoint: string;
  /** Beta's engine socket on that machine, for `hosts.<h>.socket`. */
  socket: string;
  /** A passphrase-less private key the server accepts (DOCKHAND_SSH_KEY). */
  key: string;
  /** A known_hosts file with the server's host key (DOCKHAND_SSH_KNOWN_HOSTS). */
  knownHosts: string;
  /** The server's authorized_keys: the key above, restricted to forwarding. */
  authorizedKeys: string;
  /** sshd's log (LogLevel VERBOSE: one "Accepted publickey" line per login). */
  log: string;
}

export function testbedSsh(): TestbedSsh {
  const need = testbedEnv();
  return {
    endpoint: need("DOCKHAND_TESTBED_SSH"),
    socket: need("DOCKHAND_TESTBED_SSH_SOCKET"),
    key: need("DOCKHAND_TESTBED_SSH_KEY"),
    knownHosts: need("DOCKHAND_TESTBED_SSH_KNOWN_HOSTS"),
    authorizedKeys: need("DOCKHAND_TESTBED_SSH_AUTHORIZED_KEYS"),
    log: need("DOCKHAND_TESTBED_SSH_LOG"),
  };
}

/** The two test bed engines as dockhand hosts: alpha over a unix socket, beta over TCP with TLS. */
export function testbedHosts(): HostSpec[] {
  const bed = testbed();
  return [
    { name: "alpha", docker: bed.alpha, address: "127.0.0.1", bind: "127.0.0.1", capacity: 50, labels: { zone: "a" } },
    {
      name: "beta",
      docker: bed.beta,
      tls: { ca: `${bed.betaCerts}/ca.pem`, cert: `${bed.betaCerts}/cert.pem`, key: `${bed.betaCerts}/key.pem` },
      address: "127.0.0.2",
      bind: "127.0.0.2",
      capacity: 50,
      labels: { zone: "b" },
    },
  ];
}
