/**
 * One SSH connection to a host, shared by every API call to its engine: each
 * call is a `direct-streamlocal` channel (OpenSSH's streamlocal forwarding) to
 * the engine's socket on that machine, so the host needs sshd and nothing
 * else (no docker CLI). Opened on first use, kept alive with SSH keepalives,
 * opened again on the next call after it drops (waiting longer after each
 * failed attempt), ended by `close()`.
 */
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import ssh2, { type AnyAuthMethod, type Client, type ClientChannel } from "ssh2";
import { DockhandError, type LineSink } from "../model/index.js";
import { DOCKER_DEFAULTS } from "./docker-defaults.js";
import { nudgeAcks } from "./ssh-ack-nudge.js";
import { type SshCredentials, sshCredentials } from "./ssh-credentials.js";
import { HostKeyCheck, hostKeyPolicy } from "./ssh-host-key.js";
import { SshRefusal, type SshRefusalFacts } from "./ssh-refusal.js";

export interface SshTarget {
  user: string;
  host: string;
  port: number;
}

export interface SshConnectionOptions {
  /** Where SSH_AUTH_SOCK and the DOCKHAND_SSH_* settings are read, at every connect. */
  env: NodeJS.ProcessEnv;
  /** Notes worth a line in the log (a host key added under DOCKHAND_SSH_ACCEPT_NEW). */
  log: LineSink;
  /** How messages name the host: `host beta (ssh://deploy@10.0.0.9)`. */
  who: string;
}

type SshError = Error & { level?: string; code?: string };

/** Waits before the next attempt after `failures` failed ones in a row: none, then 250 ms doubling up to the cap. */
export function reconnectDelayMs(failures: number): number {
  if (failures === 0) return 0;
  return Math.min(DOCKER_DEFAULTS.sshBackoffMs * 2 ** (failures - 1), DOCKER_DEFAULTS.sshBackoffMaxMs);
}

/** What http needs of a socket, on a channel that has no TCP options to set. */
function asSocket(channel: ClientChannel): Duplex {
  const noop = () => channel;
  return Object.assign(channel, { setKeepAlive: noop, setNoDelay: noop, setTimeout: noop, ref: noop, unref: noop });
}

/**
 * Whether sshd's settings refuse this login every forward. OpenSSH refuses a `direct-tcpip` open by its settings
 * (restrict or no-port-forwarding in authorized_keys, DisableForwarding, AllowTcpForwarding) with reason 1,
 * and the same settings refuse socket forwards. The open asks for 127.0.0.1 port 0, where nothing can
 * listen: where forwarding is allowed it fails at once and reaches nothing.
 */
function forwardsRefused(client: Client): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      client.forwardOut("127.0.0.1", 0, "127.0.0.1", 0, (err, channel) => {
        channel?.close();
        resolve((err as (Error & { reason?: number }) | undefined)?.reason === 1);
      });
    } catch {
      // The connection went down meanwhile: nothing more to learn.
      resolve(false);
    }
  });
}

export class SshConnection {
  private client: Client | undefined;
  private dialing: Promise<Client> | undefined;
  private failures = 0;
  private closed = false;
  /** Why the last connection ended, for the error of calls it cut off. */
  private lastError: string | undefined;
  private lastDrop: string | undefined;
  private readonly channels = new Set<ClientChannel>();

  constructor(
    private readonly target: SshTarget,
    private readonly options: SshConnectionOptions,
  ) {}

  /** A stream to `socketPath` on the host; throws a DockhandError that says why not. */
  async openStream(socketPath: string): Promise<Duplex> {
    const client = await this.connection();
    return await new Promise((resolve, reject) => {
      const opened = (err: Error | undefined, channel: ClientChannel) => {
        // An open the connection's end cut short is the connection's failure, not the socket's.
        if (err && this.client !== client) return reject(this.unreachable(this.lastDrop ?? err.message, true, err));
        if (err) return void this.channelError(client, err, socketPath).then(reject);
        this.channels.add(channel);
        channel.once("close", () => this.channels.delete(channel));
        resolve(asSocket(channel));
      };
      try {
        client.openssh_forwardOutStreamLocal(socketPath, opened);
      } catch (err) {
        reject(this.unreachable(`the SSH connection is down: ${(err as Error).message}`, true, err));
      }
    });
  }

  /**
   * Why the connection is down, when it dropped and was not opened again yet:
   * a stream it cut off only says "aborted".
   */
  dropCause(): string | undefined {
    return this.client === undefined ? this.lastDrop : undefined;
  }

  /** Ends the connection; calls after this fail. Safe to call twice. */
  close(): void {
    this.closed = true;
    this.client?.end();
    this.client = undefined;
  }

  private connection(): Promise<Client> {
    if (this.closed) return Promise.reject(this.unreachable("its SSH connection was closed", false));
    if (this.client) return Promise.resolve(this.client);
    this.dialing ??= this.dial().finally(() => {
      this.dialing = undefined;
    });
    return this.dialing;
  }

  private async dial(): Promise<Client> {
    const delay = reconnectDelayMs(this.failures);
    if (delay > 0) await sleep(delay);
    if (this.closed) throw this.unreachable("its SSH connection was closed", false);
    try {
      const client = await this.handshake();
      if (this.closed) {
        client.end();
        throw this.unreachable("its SSH connection was closed", false);
      }
      this.failures = 0;
      this.client = client;
      client.on("close", () => this.dropped(client));
      return client;
    } catch (err) {
      this.failures += 1;
      throw err;
    }
  }

  /**
   * The connection went away under its calls: each open channel fails with a
   * connection error (a retryable HOST_UNREACHABLE upstream) before ssh2
   * closes it, so no call reads the drop as an empty answer.
   */
  private dropped(client: Client): void {
    if (this.client === client) this.client = undefined;
    const why = `the SSH connection dropped${this.lastError ? ` (${this.lastError})` : ""}`;
    this.lastDrop = why;
    for (const channel of this.channels) {
      const error = Object.assign(new Error(why), { code: "ECONNRESET" });
      if (channel.listenerCount("error") > 0) channel.emit("error", error);
      else channel.destroy();
    }
    this.channels.clear();
  }

  private async handshake(): Promise<Client> {
    const { env, log } = this.options;
    const { user, host, port } = this.target;
    const check = new HostKeyCheck(hostKeyPolicy(env), { host, port, who: this.options.who }, log);
    let algorithms: string[] | undefined;
    let credentials: SshCredentials;
    try {
      algorithms = await check.load();
    } catch (err) {
      throw err instanceof DockhandError ? err : this.unreachable((err as Error).message, false, err);
    }
    try {
      credentials = await sshCredentials(user, env);
    } catch (err) {
      const why = (err as Error).message;
      throw this.unreachable(why, false, err, { kind: "no-credentials", user, why });
    }
    const methods: AnyAuthMethod[] = [...credentials.methods];
    let serverAccepts: string[] | undefined;
    const client = new ssh2.Client();
    // Our own socket, so that replies can be answered with an early ACK (ssh-ack-nudge.ts).
    const socket = connect({ host, port });
    socket.setNoDelay(true);
    return await new Promise<Client>((resolve, reject) => {
      let settled = false;
      const failed = (err: SshError) => {
        if (settled) return;
        settled = true;
        client.end();
        void this.connectError(err, check, credentials, serverAccepts).then(reject);
      };
      const closedEarly = () => failed(new Error("the server closed the connection during the SSH handshake"));
      client.once("ready", () => {
        settled = true;
        // From now on an error (a keepalive timeout, a reset) ends the connection; its text says why.
        this.lastError = undefined;
        client.on("error", (err: Error) => {
          this.lastError = err.message;
        });
        client.off("error", failed);
        client.off("close", closedEarly);
        nudgeAcks(socket, client, this.channels);
        resolve(client);
      });
      client.on("error", failed);
      client.once("close", closedEarly);
      client.connect({
        sock: socket,
        username: user,
        hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
          check.verify(key).then(verify, () => verify(false));
        },
        authHandler: (left, _partial, next) => {
          if (left) serverAccepts = left;
          // ssh2 takes false for "nothing left to try"; its types lack it.
          next(methods.shift() ?? (false as unknown as AnyAuthMethod));
        },
        ...(algorithms ? { algorithms: { serverHostKey: algorithms as ssh2.ServerHostKeyAlgorithm[] } } : {}),
        readyTimeout: DOCKER_DEFAULTS.sshReadyTimeoutMs,
        keepaliveInterval: DOCKER_DEFAULTS.sshKeepaliveMs,
        keepaliveCountMax: DOCKER_DEFAULTS.sshKeepaliveCountMax,
      });
    });
  }

  private async connectError(
    err: SshError,
    check: HostKeyCheck,
    credentials: SshCredentials,
    serverAccepts: string[] | undefined,
  ): Promise<DockhandError> {
    // A refused host key or login stays refused until a person acts: not worth a retry.
    if (check.refusal) return this.unreachable(check.refusal.text, false, err, check.refusal.facts);
    if (err.level === "client-authentication") {
      const { user } = this.target;
      const offered = await credentials.describe();
      const accepts = serverAccepts?.length ? `; the server accepts: ${serverAccepts.join(", ")}` : "";
      const cause = `the server refused login as ${user} with ${offered}${accepts}`;
      const { agent, keyFile } = credentials;
      const facts: SshRefusalFacts = {
        kind: "login-refused",
        user,
        offered,
        agent,
        keyFile,
        accepts: serverAccepts ?? [],
      };
      return this.unreachable(cause, false, err, facts);
    }
    if (err.level === "client-timeout") {
      return this.unreachable(`no SSH handshake within ${DOCKER_DEFAULTS.sshReadyTimeoutMs} ms`, true, err);
    }
    return this.unreachable(err.message, true, err);
  }

  /**
   * ssh2's open failure carries the SSH reason code: 1 is a refusal by sshd's settings, 2 a failed connect
   * to the socket. OpenSSH sends 2 for both (its streamlocal refusal sets no reason), so a 2 is checked again.
   */
  private async channelError(
    client: Client,
    err: SshError & { reason?: number },
    socketPath: string,
  ): Promise<DockhandError> {
    const said = err.message.replace(/^\(SSH\) (Channel open failure: )?/, "");
    const { user } = this.target;
    if (err.reason === 1 || (await forwardsRefused(client))) {
      const cause = `sshd refused to forward to ${socketPath} (${said}): its config needs AllowStreamLocalForwarding yes and AllowTcpForwarding local (or yes)`;
      return this.unreachable(cause, false, err, { kind: "forward-refused", user, socketPath, said });
    }
    // The engine may be restarting (its socket gone for a moment): worth a retry.
    const cause = `the SSH server could not open ${socketPath} (${said}): is the engine running with that socket (hosts.<name>.socket), may ${user} open it (the docker group), and does sshd_config say AllowStreamLocalForwarding yes?`;
    return this.unreachable(cause, true, err, { kind: "socket-unavailable", user, socketPath, said });
  }

  /** With `refusal`, an SshRefusal: a cause `dockhand hosts check` can name with its fix. */
  private unreachable(cause: string, transient: boolean, err?: unknown, refusal?: SshRefusalFacts): DockhandError {
    const message = `${this.options.who} is unreachable: ${cause}`;
    const options = { cause: err, transient };
    return refusal
      ? new SshRefusal(refusal, message, options)
      : new DockhandError("DOCKHAND_E_HOST_UNREACHABLE", message, options);
  }
}
