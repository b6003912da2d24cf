/**
 * The first two checks of a host: does its engine answer (reachable, with the
 * latency), and does it let us in (authenticated). Each way a connection fails
 * gets its own words and fix, from what Node and the engine report.
 */
import { Agent as HttpsAgent } from "node:https";
import { DockhandError } from "../model/index.js";
import type { Engine } from "./connect-engine.js";
import { pingEngine } from "./engine-calls.js";
import { engineMessage, engineStatus } from "./engine-error.js";
import { type CheckResult, fail, pass, skip, warn } from "./host-check.js";
import { SshRefusal, type SshRefusalFacts } from "./ssh-refusal.js";

export interface EngineProbe {
  reachable: CheckResult;
  authenticated: CheckResult;
  latencyMs?: number;
}

/** `unix`, `tcp`, `tcp+tls`, `ssh`: the endpoint's scheme, and whether TLS wraps it. */
export function transportOf(engine: Engine): string {
  const scheme = engine.endpoint.slice(0, Math.max(0, engine.endpoint.indexOf("://")));
  return scheme === "tcp" && engine.agent instanceof HttpsAgent ? "tcp+tls" : scheme || engine.endpoint;
}

export async function probeEngine(engine: Engine, timeoutMs: number): Promise<EngineProbe> {
  const started = performance.now();
  try {
    await pingEngine(engine, timeoutMs);
  } catch (err) {
    return explainProbeFailure(engine, err, timeoutMs);
  }
  const latencyMs = Math.round(performance.now() - started);
  const reachable = pass("reachable", `${transportOf(engine)}, answered in ${latencyMs} ms`);
  return { reachable, authenticated: authenticatedAs(engine), latencyMs };
}

function authenticatedAs(engine: Engine): CheckResult {
  const transport = transportOf(engine);
  if (transport === "unix") return pass("authenticated", "this user may use the socket");
  if (transport === "tcp+tls") {
    return pass("authenticated", "mutual TLS: the engine took the client certificate, and tls.ca signed its own");
  }
  if (transport === "tcp") {
    return warn(
      "authenticated",
      `plain TCP without TLS: anyone who reaches ${engine.endpoint} controls this engine`,
      `protect the engine with TLS (dockerd --tlsverify) and give hosts.${engine.host.name} tls: { ca, cert, key }, or reach it over SSH`,
    );
  }
  return pass("authenticated", `${transport}: the engine let us in`);
}

interface ErrorFacts {
  code: string;
  status?: number;
  message: string;
  timedOut: boolean;
}

function factsOf(err: unknown): ErrorFacts {
  const cause = err instanceof DockhandError && err.cause !== undefined ? err.cause : err;
  const e = (typeof cause === "object" && cause !== null ? cause : {}) as { code?: unknown; name?: unknown };
  const name = typeof e.name === "string" ? e.name : "";
  const inner = (cause as { cause?: { name?: unknown } }).cause;
  return {
    code: typeof e.code === "string" ? e.code : "",
    status: engineStatus(cause),
    message: engineMessage(cause),
    timedOut: name === "TimeoutError" || (name === "AbortError" && inner?.name === "TimeoutError"),
  };
}

/** The client certificate was refused: TLS alerts the server sends about it. */
const CLIENT_CERT_ALERTS = /ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|UNKNOWN_CA|CERTIFICATE_UNKNOWN|ACCESS_DENIED)/;
const SERVER_CERT_UNTRUSTED = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_SIGNATURE_FAILURE",
]);

/**
 * Where to look and what to change, per failure; `answered` says the engine (or something) was reached,
 * `untried` that nothing was tried (no SSH credentials to log in with).
 */
type Verdict = { answered: boolean | "untried"; detail: string; fix: string };

function unixVerdict(engine: Engine, f: ErrorFacts): Verdict | undefined {
  const path = engine.endpoint.slice("unix://".length);
  const setting = `hosts.${engine.host.name}.docker`;
  if (f.code === "ENOENT") {
    return {
      answered: false,
      detail: `no socket at ${path}`,
      fix: `start the Docker engine there, or set ${setting} to the socket it listens on`,
    };
  }
  if (f.code === "ECONNREFUSED") {
    return {
      answered: false,
      detail: `nothing accepts connections on ${path}: the engine is stopped`,
      fix: `start the Docker engine (e.g. systemctl start docker), or set ${setting} to the socket it listens on`,
    };
  }
  if (f.code === "EACCES" || f.code === "EPERM") {
    return {
      answered: true,
      detail: `permission denied on ${path}`,
      fix: "run dockhand as root or as a member of the socket's group (usually docker: usermod -aG docker USER)",
    };
  }
  return undefined;
}

function tlsVerdict(engine: Engine, f: ErrorFacts): Verdict | undefined {
  const tls = `hosts.${engine.host.name}.tls`;
  const hostname = engine.endpoint.replace(/^\w+:\/\/(\[[^\]]*\]|[^:/]*).*$/, "$1");
  if (f.status === 400 && /HTTP request to an HTTPS server/i.test(f.message)) {
    return {
      answered: true,
      detail: "the engine speaks TLS only and refused a plain request",
      fix: `give ${tls} the CA, client certificate and key the engine trusts: tls: { ca, cert, key }`,
    };
  }
  if (CLIENT_CERT_ALERTS.test(f.code)) {
    return {
      answered: true,
      detail: `the engine refused the client certificate ${engine.host.tls?.cert ?? "(none)"}: ${f.message}`,
      fix: `set ${tls}.cert and .key to a client certificate signed by the CA the engine trusts (dockerd --tlscacert)`,
    };
  }
  if (SERVER_CERT_UNTRUSTED.has(f.code)) {
    return {
      answered: true,
      detail: `the engine's certificate is not signed by ${engine.host.tls?.ca ?? "a trusted CA"}: ${f.message}`,
      fix: `set ${tls}.ca to the CA that signed the engine's certificate (dockerd --tlscert)`,
    };
  }
  if (f.code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return {
      answered: true,
      detail: `the engine's certificate is not valid for ${hostname}: ${f.message}`,
      fix: `reach the engine by a name or IP its certificate lists, or reissue it with ${hostname} in its subjectAltName`,
    };
  }
  if (f.code === "CERT_HAS_EXPIRED" || f.code === "CERT_NOT_YET_VALID") {
    return {
      answered: true,
      detail: `the engine's certificate ${f.code === "CERT_HAS_EXPIRED" ? "has expired" : "is not valid yet"}`,
      fix: "renew the engine's certificate, and check the clocks of both machines",
    };
  }
  if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST/.test(f.code)) {
    return {
      answered: true,
      detail: `${engine.endpoint} does not speak TLS`,
      fix: `point hosts.${engine.host.name}.docker at the engine's TLS port (usually 2376)`,
    };
  }
  return undefined;
}

function networkVerdict(engine: Engine, f: ErrorFacts, timeoutMs: number): Verdict {
  const setting = `hosts.${engine.host.name}.docker`;
  if (f.timedOut || f.code === "ETIMEDOUT") {
    return {
      answered: false,
      detail: `no answer within ${timeoutMs} ms`,
      fix: `check that the machine is up and that no firewall drops this machine's connections to ${engine.endpoint}; or raise --timeout`,
    };
  }
  if (f.code === "ECONNREFUSED" && engine.endpoint.startsWith("ssh://")) {
    return {
      answered: false,
      detail: `connection refused at ${engine.endpoint}: sshd is stopped or does not listen there`,
      fix: `start sshd on the host (e.g. systemctl start ssh), or fix the port in ${setting}`,
    };
  }
  if (f.code === "ECONNREFUSED") {
    return {
      answered: false,
      detail: `connection refused at ${engine.endpoint}: the engine is stopped or does not listen there`,
      fix: `start the engine and make it listen there (dockerd -H tcp://0.0.0.0:2376 --tlsverify ...), or fix ${setting}`,
    };
  }
  if (f.code === "ENOTFOUND" || f.code === "EAI_AGAIN") {
    return { answered: false, detail: `the name in ${engine.endpoint} does not resolve`, fix: `fix ${setting}` };
  }
  if (/^E(HOST|NET)(UNREACH|DOWN)$/.test(f.code)) {
    return {
      answered: false,
      detail: `no route to ${engine.endpoint}`,
      fix: "check the network between this machine and the host",
    };
  }
  if (f.status !== undefined) {
    return {
      answered: false,
      detail: `${engine.endpoint} answered HTTP ${f.status} to GET /_ping: not a Docker engine API`,
      fix: `point ${setting} at the engine's API`,
    };
  }
  return {
    answered: false,
    detail: f.message,
    fix: `check ${setting} (${engine.endpoint}) and that the engine runs there`,
  };
}

/** How dockhand's public key is printed, for each place it offered one. */
function printKey(refusal: SshRefusalFacts & { kind: "login-refused" }): string {
  const how = [
    ...(refusal.agent ? ["ssh-add -L prints the agent's"] : []),
    ...(refusal.keyFile ? [`ssh-keygen -y -f ${refusal.keyFile} prints ${refusal.agent ? "the file's" : "it"}`] : []),
  ];
  return how.length > 0 ? ` (${how.join("; ")})` : "";
}

/**
 * An `ssh://` host that turned us away (ssh-refusal.ts): sshd answered, so the
 * host is reachable and the fault is in keys or settings; only a socket the
 * SSH server cannot open means the engine itself did not answer.
 */
function sshVerdict(engine: Engine, refusal: SshRefusalFacts): Verdict {
  const sshd = "in the host's sshd_config set";
  switch (refusal.kind) {
    case "host-key-unknown":
      return {
        answered: true,
        detail: `the server's host key is not known: ${refusal.shown}`,
        fix:
          `check it on the server (ssh-keygen -lf ${refusal.serverKeyFile}); if it matches, add this line to ${refusal.file} (${refusal.setting}): ${refusal.line}` +
          " (or set DOCKHAND_SSH_ACCEPT_NEW=1 to add keys of new hosts on first use)",
      };
    case "host-key-changed": {
      const held = refusal.held.map((h) => `${h.key} at ${h.at}`).join(", ");
      const at = refusal.held.map((h) => h.at).join(", ");
      return {
        answered: true,
        detail: `the server's host key has changed: it shows ${refusal.shown}, but ${held} is what it should show`,
        fix:
          `someone may be intercepting the connection (a man in the middle): compare with ssh-keygen -lf ${refusal.serverKeyFile} ` +
          `run on the server itself, not over this network; only if the key was replaced on purpose, replace the line at ${at} with: ${refusal.line}`,
      };
    }
    case "host-key-revoked":
      return {
        answered: true,
        detail: `the server's host key ${refusal.shown} is marked @revoked at ${refusal.at}`,
        fix: `do not connect until the server has a new host key; then check it on the server and add its line to ${refusal.file}, keeping the @revoked line`,
      };
    case "host-key-unsaved":
      return {
        answered: true,
        detail: `DOCKHAND_SSH_ACCEPT_NEW=1 could not add the host key ${refusal.shown} to ${refusal.file}: ${refusal.why}`,
        fix: `let dockhand's user write ${refusal.file}, or add this line to it yourself: ${refusal.line}`,
      };
    case "login-refused": {
      const accepts = refusal.accepts.length > 0 ? `; the server accepts: ${refusal.accepts.join(", ")}` : "";
      const noKeys = refusal.accepts.length > 0 && !refusal.accepts.includes("publickey");
      return {
        answered: true,
        detail: `the server refused login as ${refusal.user} with ${refusal.offered}${accepts}`,
        fix:
          `${noKeys ? `${sshd} PubkeyAuthentication yes, then ` : ""}add dockhand's public key${printKey(refusal)} to ~${refusal.user}/.ssh/authorized_keys on the host, ` +
          "or give dockhand a key that is in it (DOCKHAND_SSH_KEY, or an agent at SSH_AUTH_SOCK)",
      };
    }
    case "no-credentials":
      return {
        answered: "untried",
        detail: refusal.why,
        fix:
          `give dockhand a key that ~${refusal.user}/.ssh/authorized_keys on the host holds: DOCKHAND_SSH_KEY=<private key file> ` +
          "(with DOCKHAND_SSH_KEY_PASSPHRASE if it is encrypted), or SSH_AUTH_SOCK=<an agent that holds it>",
      };
    case "forward-refused":
      return {
        answered: true,
        detail: `sshd let ${refusal.user} in but refused to forward to ${refusal.socketPath} (${refusal.said})`,
        fix:
          `${sshd} AllowStreamLocalForwarding yes and AllowTcpForwarding local (or yes), then reload sshd; ` +
          `where ${refusal.user}'s line in authorized_keys has restrict or no-port-forwarding, add port-forwarding to it`,
      };
    case "socket-unavailable":
      return {
        answered: false,
        detail: `sshd let ${refusal.user} in but could not open ${refusal.socketPath} (${refusal.said})`,
        fix:
          `start the Docker engine on the host, or set hosts.${engine.host.name}.socket to the socket it listens on; ` +
          `${refusal.user} must be allowed to open it (root, or the docker group), and the host's sshd_config must say AllowStreamLocalForwarding yes`,
      };
  }
}

export function explainProbeFailure(engine: Engine, err: unknown, timeoutMs: number): EngineProbe {
  const f = factsOf(err);
  const verdict =
    err instanceof SshRefusal
      ? sshVerdict(engine, err.refusal)
      : ((engine.endpoint.startsWith("unix://") ? unixVerdict(engine, f) : tlsVerdict(engine, f)) ??
        networkVerdict(engine, f, timeoutMs));
  if (verdict.answered === "untried") {
    return {
      reachable: skip("reachable", "not tried: dockhand has no SSH credentials to log in with"),
      authenticated: fail("authenticated", verdict.detail, verdict.fix),
    };
  }
  if (!verdict.answered) {
    return {
      reachable: fail("reachable", verdict.detail, verdict.fix),
      authenticated: skip("authenticated", "not checked: the engine did not answer"),
    };
  }
  return {
    reachable: pass("reachable", `${transportOf(engine)}, something answers at ${engine.endpoint}`),
    authenticated: fail("authenticated", verdict.detail, verdict.fix),
  };
}
