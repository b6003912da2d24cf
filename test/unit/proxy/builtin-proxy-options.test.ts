import { describe, expect, it } from "vitest";
import { resolveProxyOptions } from "../../../src/proxy/builtin-proxy-options.js";
import * as D from "../../../src/proxy/proxy-defaults.js";
import type { ProxyLog } from "../../../src/proxy/proxy-log.js";

const log: ProxyLog = { debug() {}, info() {}, warn() {}, error() {} };
const listen = { host: "127.0.0.1", port: 0 };

describe("resolveProxyOptions", () => {
  it("fills every default from proxy-defaults.ts", () => {
    expect(resolveProxyOptions({ listen, log })).toEqual({
      listen,
      log,
      strategy: "round-robin",
      retryAfterSeconds: D.DEFAULT_RETRY_AFTER_SECONDS,
      connectTimeoutMs: D.DEFAULT_CONNECT_TIMEOUT_MS,
      upstreamHeadersTimeoutMs: D.DEFAULT_UPSTREAM_HEADERS_TIMEOUT_MS,
      upstreamBodyTimeoutMs: D.DEFAULT_UPSTREAM_BODY_TIMEOUT_MS,
      upstreamKeepAliveMs: D.DEFAULT_UPSTREAM_KEEP_ALIVE_MS,
      upstreamConnections: D.DEFAULT_UPSTREAM_CONNECTIONS,
      clientKeepAliveMs: D.DEFAULT_CLIENT_KEEP_ALIVE_MS,
      clientHeadersTimeoutMs: D.DEFAULT_CLIENT_HEADERS_TIMEOUT_MS,
      clientRequestTimeoutMs: D.DEFAULT_CLIENT_REQUEST_TIMEOUT_MS,
      maxBodyBytes: D.DEFAULT_MAX_BODY_BYTES,
      stopGraceMs: D.DEFAULT_STOP_GRACE_MS,
      ejectAfterFailures: D.DEFAULT_EJECT_AFTER_FAILURES,
      ejectForMs: D.DEFAULT_EJECT_FOR_MS,
      maxAttempts: D.DEFAULT_MAX_ATTEMPTS,
      certificateSettleMs: D.DEFAULT_CERTIFICATE_SETTLE_MS,
    });
  });

  const bad: Array<[string, object, string]> = [
    [
      "a port above 65535",
      { listen: { host: "h", port: 70000 } },
      "listen.port: expected an integer from 0 to 65535, got 70000",
    ],
    ["a negative timeout", { connectTimeoutMs: -1 }, "connectTimeoutMs: expected an integer >= 1, got -1"],
    ["a fractional limit", { maxBodyBytes: 1.5 }, "maxBodyBytes: expected an integer >= 0, got 1.5"],
    ["zero attempts", { maxAttempts: 0 }, "maxAttempts: expected an integer >= 1, got 0"],
    [
      "a negative certificate settle time",
      { certificateSettleMs: -5 },
      "certificateSettleMs: expected an integer >= 0, got -5",
    ],
    [
      "an unknown strategy",
      { strategy: "random" },
      'strategy: expected "round-robin" or "least-in-flight", got "random"',
    ],
  ];
  it.each(bad)("rejects %s with a message naming the option", (_name, extra, message) => {
    expect(() => resolveProxyOptions({ listen, log, ...extra })).toThrow(`BuiltinProxy option ${message}`);
  });
});
