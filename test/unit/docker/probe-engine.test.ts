/**
 * How a failed ping becomes a verdict, for the failures the test bed cannot
 * produce (permission denied, a certificate for another name, DNS), and for
 * each SSH refusal from its kind and facts; the real refusals are sent by
 * test/integration/docker/check-host.test.ts and, over SSH, by
 * test/integration/cli/hosts-check.test.ts.
 */
import { describe, expect, it } from "vitest";
import { connectEngine } from "../../../src/docker/connect-engine.js";
import { engineError } from "../../../src/docker/engine-error.js";
import { explainProbeFailure, transportOf } from "../../../src/docker/probe-engine.js";
import { SshRefusal, type SshRefusalFacts } from "../../../src/docker/ssh-refusal.js";
import { DockhandError, type HostSpec } from "../../../src/model/index.js";

const base = { address: "10.0.0.5", bind: "10.0.0.5", capacity: 5, labels: {} };
const unixHost: HostSpec = { ...base, name: "web1", docker: "unix:///var/run/docker.sock" };
const tcpHost: HostSpec = { ...base, name: "web2", docker: "tcp://docker.example:2375" };
const sshHost: HostSpec = { ...base, name: "web3", docker: "ssh://deploy@10.0.0.5" };

function errno(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** The error as the host check sees it: through engineError, as engineCall throws it. */
function explain(host: HostSpec, err: unknown) {
  const engine = connectEngine(host, {});
  try {
    return explainProbeFailure(engine, engineError(engine, "ping", err, 500), 500);
  } finally {
    engine.agent.destroy();
  }
}

describe("explainProbeFailure", () => {
  it.each([
    [
      "a socket this user may not open",
      unixHost,
      errno("EACCES", "connect EACCES /var/run/docker.sock"),
      "pass",
      {
        status: "fail",
        detail: "permission denied on /var/run/docker.sock",
        fix: "run dockhand as root or as a member of the socket's group (usually docker: usermod -aG docker USER)",
      },
    ],
    [
      "a name that does not resolve",
      tcpHost,
      errno("ENOTFOUND", "getaddrinfo ENOTFOUND docker.example"),
      "fail",
      undefined,
    ],
    [
      "an engine certificate for another name",
      tcpHost,
      errno("ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match certificate's altnames"),
      "pass",
      {
        status: "fail",
        detail:
          "the engine's certificate is not valid for docker.example: Hostname/IP does not match certificate's altnames",
        fix: "reach the engine by a name or IP its certificate lists, or reissue it with docker.example in its subjectAltName",
      },
    ],
    [
      "an expired engine certificate",
      tcpHost,
      errno("CERT_HAS_EXPIRED", "certificate has expired"),
      "pass",
      {
        status: "fail",
        detail: "the engine's certificate has expired",
        fix: "renew the engine's certificate, and check the clocks of both machines",
      },
    ],
    [
      "TLS spoken to a plain port",
      tcpHost,
      errno("ERR_SSL_WRONG_VERSION_NUMBER", "wrong version number"),
      "pass",
      {
        status: "fail",
        detail: "tcp://docker.example:2375 does not speak TLS",
        fix: "point hosts.web2.docker at the engine's TLS port (usually 2376)",
      },
    ],
    [
      "something that is not an engine",
      tcpHost,
      Object.assign(new Error("(HTTP code 404) unexpected - page not found"), { statusCode: 404 }),
      "fail",
      undefined,
    ],
  ])("%s", (_what, host, err, reachable, authenticated) => {
    const probe = explain(host, err);
    expect(probe.reachable.status).toBe(reachable);
    if (authenticated) expect(probe.authenticated).toEqual({ check: "authenticated", ...authenticated });
    else expect(probe.authenticated.status).toBe("skip");
  });

  it("names the resolver failure and the setting to fix", () => {
    expect(explain(tcpHost, errno("EAI_AGAIN", "getaddrinfo EAI_AGAIN docker.example")).reachable).toEqual({
      check: "reachable",
      status: "fail",
      detail: "the name in tcp://docker.example:2375 does not resolve",
      fix: "fix hosts.web2.docker",
    });
  });

  it("reports a timeout with the time waited", () => {
    const timeout = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    expect(explain(tcpHost, timeout).reachable).toMatchObject({
      status: "fail",
      detail: "no answer within 500 ms",
      fix: expect.stringContaining("or raise --timeout"),
    });
  });
});

describe("explainProbeFailure over SSH", () => {
  const KEY = "ED25519 key SHA256:9Jd1q0yFf1Q4wWcPXo0dRrA3J8E8e3u2r5fVt0GZk3c";
  const OLD = "ED25519 key SHA256:Xb0pLm0n8v6Q4rT2sY7uW1zA5cE9gI3kM6oQ8sU0wY2";
  const LINE = "10.0.0.5 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHtQG6aumIS1LhVfDBl11OAlUkNtgLQCNB8PIhiMEhrh";
  const KNOWN = "/etc/dockhand/known_hosts";
  const SERVER_KEY = "/etc/ssh/ssh_host_ed25519_key.pub";
  const refusal = (facts: SshRefusalFacts) =>
    new SshRefusal(facts, "host web3 (ssh://deploy@10.0.0.5:22) is unreachable: ...", { transient: false });

  it.each<[string, SshRefusalFacts, Record<string, unknown>, Record<string, unknown>]>([
    [
      "an unknown host key",
      {
        kind: "host-key-unknown",
        shown: KEY,
        serverKeyFile: SERVER_KEY,
        file: KNOWN,
        setting: "DOCKHAND_SSH_KNOWN_HOSTS",
        line: LINE,
      },
      { status: "pass", detail: "ssh, something answers at ssh://deploy@10.0.0.5:22" },
      {
        status: "fail",
        detail: `the server's host key is not known: ${KEY}`,
        fix: `check it on the server (ssh-keygen -lf ${SERVER_KEY}); if it matches, add this line to ${KNOWN} (DOCKHAND_SSH_KNOWN_HOSTS): ${LINE} (or set DOCKHAND_SSH_ACCEPT_NEW=1 to add keys of new hosts on first use)`,
      },
    ],
    [
      "a changed host key, held on two lines",
      {
        kind: "host-key-changed",
        shown: KEY,
        serverKeyFile: SERVER_KEY,
        held: [
          { key: OLD, at: `${KNOWN}:3` },
          { key: OLD, at: `${KNOWN}:7` },
        ],
        line: LINE,
      },
      { status: "pass" },
      {
        status: "fail",
        detail: `the server's host key has changed: it shows ${KEY}, but ${OLD} at ${KNOWN}:3, ${OLD} at ${KNOWN}:7 is what it should show`,
        fix: `someone may be intercepting the connection (a man in the middle): compare with ssh-keygen -lf ${SERVER_KEY} run on the server itself, not over this network; only if the key was replaced on purpose, replace the line at ${KNOWN}:3, ${KNOWN}:7 with: ${LINE}`,
      },
    ],
    [
      "a revoked host key",
      { kind: "host-key-revoked", shown: KEY, file: KNOWN, at: `${KNOWN}:2` },
      { status: "pass" },
      {
        status: "fail",
        detail: `the server's host key ${KEY} is marked @revoked at ${KNOWN}:2`,
        fix: `do not connect until the server has a new host key; then check it on the server and add its line to ${KNOWN}, keeping the @revoked line`,
      },
    ],
    [
      "a new host key DOCKHAND_SSH_ACCEPT_NEW could not save",
      { kind: "host-key-unsaved", shown: KEY, file: KNOWN, why: "EACCES: permission denied", line: LINE },
      { status: "pass" },
      {
        status: "fail",
        detail: `DOCKHAND_SSH_ACCEPT_NEW=1 could not add the host key ${KEY} to ${KNOWN}: EACCES: permission denied`,
        fix: `let dockhand's user write ${KNOWN}, or add this line to it yourself: ${LINE}`,
      },
    ],
    [
      "a key file the server refuses",
      {
        kind: "login-refused",
        user: "deploy",
        offered: "DOCKHAND_SSH_KEY /keys/id (ssh-ed25519 SHA256:abc)",
        keyFile: "/keys/id",
        accepts: ["publickey"],
      },
      { status: "pass" },
      {
        status: "fail",
        detail:
          "the server refused login as deploy with DOCKHAND_SSH_KEY /keys/id (ssh-ed25519 SHA256:abc); the server accepts: publickey",
        fix: "add dockhand's public key (ssh-keygen -y -f /keys/id prints it) to ~deploy/.ssh/authorized_keys on the host, or give dockhand a key that is in it (DOCKHAND_SSH_KEY, or an agent at SSH_AUTH_SOCK)",
      },
    ],
    [
      "agent and key file refused by a server that takes no keys",
      {
        kind: "login-refused",
        user: "deploy",
        offered:
          "the SSH agent at /run/agent.sock (SSH_AUTH_SOCK; it holds no keys) and DOCKHAND_SSH_KEY /keys/id (...)",
        agent: "/run/agent.sock",
        keyFile: "/keys/id",
        accepts: ["password", "keyboard-interactive"],
      },
      { status: "pass" },
      {
        status: "fail",
        detail:
          "the server refused login as deploy with the SSH agent at /run/agent.sock (SSH_AUTH_SOCK; it holds no keys) and DOCKHAND_SSH_KEY /keys/id (...); the server accepts: password, keyboard-interactive",
        fix: "in the host's sshd_config set PubkeyAuthentication yes, then add dockhand's public key (ssh-add -L prints the agent's; ssh-keygen -y -f /keys/id prints the file's) to ~deploy/.ssh/authorized_keys on the host, or give dockhand a key that is in it (DOCKHAND_SSH_KEY, or an agent at SSH_AUTH_SOCK)",
      },
    ],
    [
      "no credentials: nothing was tried",
      { kind: "no-credentials", user: "deploy", why: "no SSH credentials: run dockhand with an SSH agent ..." },
      { status: "skip", detail: "not tried: dockhand has no SSH credentials to log in with" },
      {
        status: "fail",
        detail: "no SSH credentials: run dockhand with an SSH agent ...",
        fix: "give dockhand a key that ~deploy/.ssh/authorized_keys on the host holds: DOCKHAND_SSH_KEY=<private key file> (with DOCKHAND_SSH_KEY_PASSPHRASE if it is encrypted), or SSH_AUTH_SOCK=<an agent that holds it>",
      },
    ],
    [
      "sshd refusing the forward to the engine's socket",
      { kind: "forward-refused", user: "deploy", socketPath: "/var/run/docker.sock", said: "open failed" },
      { status: "pass" },
      {
        status: "fail",
        detail: "sshd let deploy in but refused to forward to /var/run/docker.sock (open failed)",
        fix: "in the host's sshd_config set AllowStreamLocalForwarding yes and AllowTcpForwarding local (or yes), then reload sshd; where deploy's line in authorized_keys has restrict or no-port-forwarding, add port-forwarding to it",
      },
    ],
    [
      "a socket sshd cannot open: the engine did not answer",
      { kind: "socket-unavailable", user: "deploy", socketPath: "/var/run/docker.sock", said: "open failed" },
      {
        status: "fail",
        detail: "sshd let deploy in but could not open /var/run/docker.sock (open failed)",
        fix: "start the Docker engine on the host, or set hosts.web3.socket to the socket it listens on; deploy must be allowed to open it (root, or the docker group), and the host's sshd_config must say AllowStreamLocalForwarding yes",
      },
      { status: "skip" },
    ],
  ])("%s", (_what, facts, reachable, authenticated) => {
    const probe = explain(sshHost, refusal(facts));
    expect(probe.reachable).toMatchObject({ check: "reachable", ...reachable });
    expect(probe.authenticated).toMatchObject({ check: "authenticated", ...authenticated });
  });

  it("reads the refusal's kind, not its message: the same words without a kind stay a generic failure", () => {
    const words = "host web3 (ssh://deploy@10.0.0.5:22) is unreachable: the server's host key is not known: ...";
    const probe = explain(sshHost, new DockhandError("DOCKHAND_E_HOST_UNREACHABLE", words));
    expect(probe.reachable).toMatchObject({
      status: "fail",
      fix: "check hosts.web3.docker (ssh://deploy@10.0.0.5:22) and that the engine runs there",
    });
    expect(probe.authenticated.status).toBe("skip");
  });

  it.each([
    [
      "a refused connection: sshd is not there",
      errno("ECONNREFUSED", "connect ECONNREFUSED 10.0.0.5:22"),
      {
        detail: "connection refused at ssh://deploy@10.0.0.5:22: sshd is stopped or does not listen there",
        fix: "start sshd on the host (e.g. systemctl start ssh), or fix the port in hosts.web3.docker",
      },
    ],
    [
      "no answer in time",
      new DOMException("The operation was aborted due to timeout", "TimeoutError"),
      { detail: "no answer within 500 ms" },
    ],
  ])("%s stays reachable ✗, as for TCP", (_what, cause, reachable) => {
    const err = new DockhandError("DOCKHAND_E_HOST_UNREACHABLE", "host web3 ... is unreachable", { cause });
    const probe = explain(sshHost, err);
    expect(probe.reachable).toMatchObject({ status: "fail", ...reachable });
    expect(probe.authenticated.status).toBe("skip");
  });
});

describe("transportOf", () => {
  it.each([
    [unixHost, "unix"],
    [tcpHost, "tcp"],
    [sshHost, "ssh"],
  ])("%o is %s", (host, transport) => {
    const engine = connectEngine(host, {});
    expect(transportOf(engine)).toBe(transport);
    engine.agent.destroy();
  });
});
