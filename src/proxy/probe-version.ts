/**
 * Asks a proxy (nginx, Caddy) which route table version it serves, through the
 * reserved probe hostname, so a driver knows when a reload has taken effect
 * rather than guessing with a sleep.
 */
import { request } from "node:http";
import { VERSION_PROBE_HOST } from "./render-nginx-config.js";

const POLL_MS = 25;

function askVersion(at: { host: string; port: number }): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: at.host,
        port: at.port,
        path: "/version",
        headers: { host: VERSION_PROBE_HOST },
        agent: false,
        timeout: 1_000,
      },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on("end", () => resolve(res.statusCode === 200 ? body.trim() : undefined));
        res.on("error", () => resolve(undefined));
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(undefined));
    req.end();
  });
}

/**
 * Resolves once the proxy at `at` serves `version`; rejects after timeoutMs with what it last saw. Equal, not
 * at least: a table of a new epoch counts from 1 again (table-order.ts), and drivers apply one table at a time.
 */
export async function waitForVersion(
  at: { host: string; port: number },
  version: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  for (;;) {
    last = await askVersion(at);
    if (last !== undefined && Number(last) === version) return;
    if (Date.now() > deadline) {
      throw new Error(`after ${timeoutMs} ms it still serves ${last === undefined ? "nothing" : `version ${last}`}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
