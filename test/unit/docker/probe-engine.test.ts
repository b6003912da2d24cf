/**
 * How a failed ping becomes a verdict, for the failures the test bed cannot
 * produce (permission denied, a certificate for another name, DNS); the real
 * refusals are sent by test/integration/docker/check-host.test.ts.
 */
import { describe, expect, it } from "vitest";
import { connectEngine } from "../../../src/docker/connect-engine.js";
import { engineError } from "../../../src/docker/engine-error.js";
import { explainProbeFailure, transportOf } from "../../../src/docker/probe-engine.js";
import type { HostSpec } from "../../../src/model/index.js";

const base = { address: "10.0.0.5", bind: "10.0.0.5", capacity: 5, labels: {} };
const unixHost: HostSpec = { ...base, name: "web1", docker: "unix:///var/run/docker.sock" };
const tcpHost: HostSpec = { ...base, name: "web2", docker: "tcp://docker.example:2375" };

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

describe("transportOf", () => {
  it.each([
    [unixHost, "unix"],
    [tcpHost, "tcp"],
  ])("%o is %s", (host, transport) => {
    const engine = connectEngine(host, {});
    expect(transportOf(engine)).toBe(transport);
    engine.agent.destroy();
  });
});
