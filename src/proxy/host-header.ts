/**
 * The Host header a request is routed by, checked before anything else
 * reads it. Its value is copied into X-Forwarded-Host and into the HTTPS
 * redirect's Location, so a value that is not a host (`a/b`, `a\b`, `x@y`,
 * spaces, quotes, markup) could point a redirect elsewhere or reach an app
 * as a trusted header. RFC 9112 3.2: a request with no Host, more than one,
 * or an invalid one gets 400.
 */
import { isIPv6 } from "node:net";
import { normalizeHost } from "./host-index.js";

/** Longest host name taken (a DNS name is at most 253 characters, 254 with the root's dot). */
const MAX_NAME_LENGTH = 254;

/** RFC 3986 3.2.2 reg-name: unreserved, pct-encoded and sub-delims characters; IPv4 addresses are of this form too. */
const REG_NAME = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/;

/** RFC 3986 3.2.3: digits only (possibly none), here at most a TCP port's 65535. */
const PORT = /^\d{0,5}$/;

export type HostHeader =
  /** `value`: the header as sent, now known to be safe to copy; `name`: the route lookup key (host-index.ts). */
  { value: string; name: string } | { problem: string };

const WHAT_IS_RIGHT =
  'one Host header with a hostname or IP address and an optional ":port" (RFC 3986), like "www.example.com", "192.0.2.7:8080" or "[2001:db8::1]"';

/** `rawHeaders` as node gives them ([name, value, ...]): duplicates are kept there, unlike in `req.headers`. */
export function readHostHeader(rawHeaders: readonly string[]): HostHeader {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === "host") values.push(rawHeaders[i + 1]!);
  }
  if (values.length === 0) return { problem: `the request has no Host header; send ${WHAT_IS_RIGHT}` };
  if (values.length > 1) return { problem: `the request has ${values.length} Host headers; send ${WHAT_IS_RIGHT}` };
  const value = values[0]!;
  const name = isHost(value) ? normalizeHost(value) : undefined;
  if (name === undefined) return { problem: `the Host header is not a valid host; send ${WHAT_IS_RIGHT}` };
  return { value, name };
}

function isHost(value: string): boolean {
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    // IPvFuture (`[v1.x]`) and zone identifiers (`[fe80::1%25eth0]`) name nothing a proxy could route.
    const address = value.slice(1, end);
    return end > 0 && /^[0-9A-Fa-f:.]+$/.test(address) && isIPv6(address) && isPort(value.slice(end + 1));
  }
  const colon = value.indexOf(":");
  const name = colon < 0 ? value : value.slice(0, colon);
  const port = colon < 0 ? "" : value.slice(colon);
  return name.length <= MAX_NAME_LENGTH && REG_NAME.test(name) && isPort(port);
}

/** `""`, or `:` and a port number (RFC 3986 allows an empty port: `example.com:`). */
function isPort(text: string): boolean {
  if (text === "") return true;
  return text.startsWith(":") && PORT.test(text.slice(1)) && Number(text.slice(1) || "0") <= 65535;
}
