/**
 * dockhand's own health probes, for images without a HEALTHCHECK: an HTTP GET
 * of `health.path`, or a TCP connect. Each resolves with a result, never throws.
 */
import { request } from "node:http";
import { connect } from "node:net";
import { DOCKER_DEFAULTS } from "./docker-defaults.js";

export type ProbeResult = { ok: true } | { ok: false; problem: string };

function timeoutSignal(timeoutMs: number, signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([timeout, signal]) : timeout;
}

/** Healthy on any 2xx or 3xx answer. */
export function probeHttp(
  address: string,
  port: number,
  path: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const target = `GET http://${address}:${port}${path}`;
  return new Promise((resolve) => {
    const req = request(
      { host: address, port, path, method: "GET", agent: false, signal: timeoutSignal(timeoutMs, signal) },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve(status >= 200 && status < 400 ? { ok: true } : { ok: false, problem: `${target} answered ${status}` });
      },
    );
    req.on("error", (err) => {
      const timedOut = err.name === "AbortError" && !signal?.aborted;
      resolve({
        ok: false,
        problem: timedOut ? `${target}: no answer within ${timeoutMs} ms` : `${target}: ${err.message}`,
      });
    });
    req.end();
  });
}

/**
 * Healthy when a connection opens and stays open for a moment. Docker's
 * userland proxy accepts on the published port even while nothing listens in
 * the container, then closes at once; a bare connect would pass too early.
 */
export function probeTcp(address: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
  const target = `TCP ${address}:${port}`;
  const settleMs = Math.min(DOCKER_DEFAULTS.tcpSettleMs, timeoutMs);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const socket = connect({ host: address, port, signal: timeoutSignal(timeoutMs + settleMs, signal) });
    let timer = setTimeout(
      () => finish({ ok: false, problem: `${target}: no connection within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.on("connect", () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish({ ok: true }), settleMs);
    });
    socket.on("data", () => finish({ ok: true }));
    socket.on("end", () => finish({ ok: false, problem: `${target}: the connection was closed at once` }));
    socket.on("close", () => finish({ ok: false, problem: `${target}: the connection was closed at once` }));
    socket.on("error", (err) => finish({ ok: false, problem: `${target}: ${err.message}` }));
  });
}
