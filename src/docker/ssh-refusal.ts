/**
 * The ways an `ssh://` host turns dockhand away, as data: the host key
 * (unknown, changed, revoked, or one DOCKHAND_SSH_ACCEPT_NEW could not save),
 * the login (refused, or nothing to log in with), and the channel to the
 * engine's socket (sshd's settings refuse it, or the socket cannot be opened).
 * ssh-connection.ts throws them as SshRefusal, a DockhandError like any other
 * connection failure; `dockhand hosts check` reads the kind and its facts to
 * word the fix (probe-engine.ts), never the message text.
 */
import { DockhandError } from "../model/index.js";

export type SshRefusalFacts =
  | {
      kind: "host-key-unknown";
      /** `ED25519 key SHA256:...`: the key the server showed. */
      shown: string;
      /** The public key file on the server to compare it with, e.g. /etc/ssh/ssh_host_ed25519_key.pub. */
      serverKeyFile: string;
      /** The known_hosts file, and which setting chose it. */
      file: string;
      setting: string;
      /** The known_hosts line that makes the key known. */
      line: string;
    }
  | {
      kind: "host-key-changed";
      shown: string;
      serverKeyFile: string;
      /** Each key the file holds for the host instead: `ED25519 key SHA256:...` and where (`file:line`). */
      held: Array<{ key: string; at: string }>;
      line: string;
    }
  | { kind: "host-key-revoked"; shown: string; file: string; at: string }
  | { kind: "host-key-unsaved"; shown: string; file: string; why: string; line: string }
  | {
      kind: "login-refused";
      user: string;
      /** What was offered, as ssh-credentials.ts describes it. */
      offered: string;
      keyFile?: string;
      agent?: string;
      /** The methods the server said it accepts, when it said. */
      accepts: string[];
    }
  /** Nothing usable to log in with: neither SSH_AUTH_SOCK nor DOCKHAND_SSH_KEY, or a key file that cannot be used. */
  | { kind: "no-credentials"; user: string; why: string }
  | { kind: "forward-refused"; user: string; socketPath: string; said: string }
  | { kind: "socket-unavailable"; user: string; socketPath: string; said: string };

export type SshRefusalKind = SshRefusalFacts["kind"];

/** A HOST_UNREACHABLE whose SSH cause is known: `refusal.kind` says which, with what a fix needs. */
export class SshRefusal extends DockhandError {
  constructor(
    readonly refusal: SshRefusalFacts,
    message: string,
    options: { cause?: unknown; transient?: boolean } = {},
  ) {
    super("DOCKHAND_E_HOST_UNREACHABLE", message, options);
    this.name = "SshRefusal";
  }
}
