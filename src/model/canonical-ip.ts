/**
 * IP literals in the one spelling the Docker engine reports them in (Go's
 * net.IP.String): `0:0::1` is listed as `::1`, `::ffff:10.0.0.1` as
 * `10.0.0.1`. A host's bind address (from dockhand.yaml) and the address a
 * container is published on (from the engine) are compared in this spelling.
 */

const IPV4_RE = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const MAPPED_RE = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/** The canonical spelling of an IPv4 or IPv6 literal (bare: no brackets, no zone), or undefined for anything else. */
export function canonicalIp(text: string): string | undefined {
  if (IPV4_RE.test(text)) return text;
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(":")) return undefined;
  let v6: string;
  try {
    // The WHATWG URL parser validates IPv6 and writes it the RFC 5952 way, as Go does.
    v6 = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const mapped = MAPPED_RE.exec(v6);
  if (!mapped) return v6;
  const high = Number.parseInt(mapped[1] ?? "0", 16);
  const low = Number.parseInt(mapped[2] ?? "0", 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}

/** 0.0.0.0 and :: mean every interface of the machine. */
export function isUnspecifiedIp(text: string): boolean {
  const ip = canonicalIp(text);
  return ip === "0.0.0.0" || ip === "::";
}
