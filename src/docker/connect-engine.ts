/**
 * One dockerode client per host. `local` follows DOCKER_HOST like the docker
 * CLI does; TLS files are read once, here, so a bad path is reported before
 * the first request and names the host and the file. An `ssh://` host gets
 * one SSH connection (ssh-connection.ts), opened on first use.
 */
import { readFileSync } from "node:fs";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import Docker from "dockerode";
import type { HostSpec, LineSink, TlsFiles } from "../model/index.js";
import { DockhandError } from "../model/index.js";
import { SshConnection } from "./ssh-connection.js";
import { SshHttpAgent } from "./ssh-http-agent.js";

export const DEFAULT_SOCKET = "/var/run/docker.sock";

/** A connected host: the client, and the endpoint it talks to (for messages). */
export interface Engine {
  host: HostSpec;
  /** `unix:///path.sock`, `tcp://host:port` or `ssh://user@host:port`, after resolving `local`. */
  endpoint: string;
  docker: Docker;
  /** Owned by this engine so `close()` can drop its idle connections (and end its SSH connection). */
  agent: HttpAgent;
  /** An `ssh://` engine: why its connection is down, if it dropped (see SshConnection.dropCause). */
  dropCause?: () => string | undefined;
}

type Endpoint =
  | { kind: "unix"; socketPath: string }
  | { kind: "tcp"; hostname: string; port: number }
  | { kind: "ssh"; user: string; hostname: string; port: number };

/** `ssh://user@host[:port]`: no password, path or query; port 22 unless given. */
function parseSsh(docker: string): Endpoint | undefined {
  const url = safeUrl(docker);
  if (!url?.username || url.password || (url.pathname !== "" && url.pathname !== "/")) return undefined;
  if (url.search || url.hash || !url.hostname) return undefined;
  const port = url.port === "" ? 22 : Number(url.port);
  return { kind: "ssh", user: decodeURIComponent(url.username), hostname: url.hostname.replace(/^\[|\]$/g, ""), port };
}

function parseEndpoint(host: HostSpec, docker: string): Endpoint {
  if (docker.startsWith("unix://")) {
    const socketPath = docker.slice("unix://".length);
    if (socketPath.startsWith("/")) return { kind: "unix", socketPath };
  } else if (docker.startsWith("tcp://")) {
    const url = safeUrl(docker);
    const port = Number(url?.port);
    if (url?.hostname && Number.isInteger(port) && port > 0 && (url.pathname === "" || url.pathname === "/")) {
      return { kind: "tcp", hostname: url.hostname.replace(/^\[|\]$/g, ""), port };
    }
  } else if (docker.startsWith("ssh://")) {
    const ssh = parseSsh(docker);
    if (ssh) return ssh;
  }
  throw new DockhandError(
    "DOCKHAND_E_HOST_UNREACHABLE",
    `host ${host.name}: docker "${docker}" is not supported: expected local, unix:///path/to/docker.sock, tcp://host:port or ssh://user@host[:port]`,
  );
}

// Explicit undefineds: docker-modem merges DOCKER_HOST/DOCKER_CERT_PATH defaults under our options.
const CLEARED = {
  host: undefined,
  port: undefined,
  socketPath: undefined,
  protocol: undefined,
  ca: undefined,
  cert: undefined,
  key: undefined,
};

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** `local` means what the docker CLI would use: DOCKER_HOST, else the default socket. */
function resolveDocker(host: HostSpec, env: NodeJS.ProcessEnv): string {
  if (host.docker !== "local") return host.docker;
  const fromEnv = env.DOCKER_HOST?.trim();
  if (!fromEnv) return `unix://${DEFAULT_SOCKET}`;
  // DOCKER_HOST=host:port without a scheme means tcp, as for the docker CLI.
  return fromEnv.includes("://") ? fromEnv : `tcp://${fromEnv}`;
}

/** For `local` over tcp, the docker CLI's DOCKER_CERT_PATH convention supplies the TLS files. */
function resolveTls(host: HostSpec, env: NodeJS.ProcessEnv): TlsFiles | undefined {
  if (host.tls || host.docker !== "local") return host.tls;
  const dir = env.DOCKER_CERT_PATH;
  if (!dir || env.DOCKER_TLS_VERIFY !== "1") return undefined;
  return { ca: `${dir}/ca.pem`, cert: `${dir}/cert.pem`, key: `${dir}/key.pem` };
}

function readTlsFile(host: HostSpec, what: keyof TlsFiles, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new DockhandError(
      "DOCKHAND_E_HOST_UNREACHABLE",
      `host ${host.name}: cannot read its TLS ${what} file ${path} (tls.${what}): ${why}`,
      { cause: err },
    );
  }
}

/** An SSH host: requests go over its one SSH connection to the engine's socket there. */
function sshEngine(
  host: HostSpec,
  endpoint: Endpoint & { kind: "ssh" },
  env: NodeJS.ProcessEnv,
  log: LineSink,
): Engine {
  const hostname = endpoint.hostname.includes(":") ? `[${endpoint.hostname}]` : endpoint.hostname;
  const shown = `ssh://${endpoint.user}@${hostname}:${endpoint.port}`;
  const target = { user: endpoint.user, host: endpoint.hostname, port: endpoint.port };
  const ssh = new SshConnection(target, { env, log, who: `host ${host.name} (${shown})` });
  const agent = new SshHttpAgent(ssh, host.socket ?? DEFAULT_SOCKET);
  // The host name only fills the Host header: the agent's streams never resolve it.
  const options = { host: "localhost", port: 80, protocol: "http", agent } as Docker.DockerOptions;
  const dropCause = () => ssh.dropCause();
  return { host, endpoint: shown, docker: new Docker({ ...CLEARED, ...options }), agent, dropCause };
}

/**
 * Make the client for one host. Throws DockhandError when the spec cannot work (bad endpoint, unreadable TLS file).
 * `log` gets the SSH notes worth keeping (a host key added under DOCKHAND_SSH_ACCEPT_NEW).
 */
export function connectEngine(
  host: HostSpec,
  env: NodeJS.ProcessEnv = process.env,
  log: LineSink = (line) => process.stderr.write(`${line}\n`),
): Engine {
  const docker = resolveDocker(host, env);
  const endpoint = parseEndpoint(host, docker);
  if (endpoint.kind === "ssh") return sshEngine(host, endpoint, env, log);
  const cleared = CLEARED;
  if (endpoint.kind === "unix") {
    const agent = new HttpAgent({ keepAlive: true });
    const options = { ...cleared, socketPath: endpoint.socketPath, agent } as Docker.DockerOptions;
    return { host, endpoint: `unix://${endpoint.socketPath}`, docker: new Docker(options), agent };
  }
  const shown = `tcp://${docker.slice("tcp://".length).replace(/\/$/, "")}`;
  const tls = resolveTls(host, env);
  if (!tls) {
    const agent = new HttpAgent({ keepAlive: true });
    const options = {
      ...cleared,
      host: endpoint.hostname,
      port: endpoint.port,
      protocol: "http",
      agent,
    } as Docker.DockerOptions;
    return { host, endpoint: shown, docker: new Docker(options), agent };
  }
  const ca = readTlsFile(host, "ca", tls.ca);
  const cert = readTlsFile(host, "cert", tls.cert);
  const key = readTlsFile(host, "key", tls.key);
  const agent = new HttpsAgent({ keepAlive: true });
  const options = { ...cleared, host: endpoint.hostname, port: endpoint.port, protocol: "https" as const };
  return {
    host,
    endpoint: shown,
    docker: new Docker({ ...options, ca, cert, key, agent } as Docker.DockerOptions),
    agent,
  };
}
