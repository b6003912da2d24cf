/**
 * Pebble's current root, fetched from its management API (Pebble makes a new
 * one at each start); the test bed's Pebble is testbedPebble().
 */
import { readFileSync } from "node:fs";
import { request } from "node:https";
import type { TestbedPebble } from "../../support/testbed.js";

/** Pebble's issuing root as PEM, over HTTPS verified against Pebble's HTTPS CA. */
export function fetchPebbleRoot(pebble: TestbedPebble): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(pebble.roots, { ca: readFileSync(pebble.httpsCa) }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on("end", () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`${pebble.roots}: HTTP ${res.statusCode}`)),
      );
    });
    req.on("error", reject);
    req.end();
  });
}
