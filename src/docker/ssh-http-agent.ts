/**
 * The http.Agent of an `ssh://` engine: every socket it hands docker-modem is
 * a streamlocal channel on the host's one SSH connection, so plain requests,
 * keep-alive reuse and long streams (build, save/load, logs) all ride the
 * same connection. Destroying the agent ends the connection.
 */
import { Agent, type ClientRequestArgs } from "node:http";
import type { Duplex } from "node:stream";
import { inspect } from "node:util";
import type { SshConnection } from "./ssh-connection.js";

export class SshHttpAgent extends Agent {
  constructor(
    private readonly ssh: SshConnection,
    private readonly socketPath: string,
  ) {
    super({ keepAlive: true });
  }

  override createConnection(
    _options: ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    this.ssh.openStream(this.socketPath).then(
      (stream) => callback?.(null, stream),
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  }

  /**
   * docker-modem runs util.inspect (showHidden, unlimited depth) over every
   * request's options, agent included, even with its debug log off; through the
   * SSH connection that walk took 40-100 ms per call.
   */
  [inspect.custom](): string {
    return `SshHttpAgent(${this.socketPath})`;
  }

  override destroy(): void {
    super.destroy();
    this.ssh.close();
  }
}
