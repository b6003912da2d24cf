/**
 * TLS certificates from files, chosen per connection by SNI: each
 * certificate serves the DNS names in its subjectAltName (or its CN when it
 * has none), exact names before wildcards, so a wildcard certificate for
 * `*.preview.example.com` serves every preview app.
 */
import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createSecureContext, type SecureContext } from "node:tls";
import { DockhandError } from "../model/index.js";
import { normalizeHost } from "./host-index.js";

export interface CertificateFiles {
  /** PEM certificate, optionally followed by its chain. */
  certFile: string;
  keyFile: string;
}

export interface CertificateSet {
  /** Every name served, in file order, for logs and tests. */
  readonly names: readonly string[];
  /** The context for an SNI name; the first certificate when no name matches or the client sent none. */
  contextFor(servername: string | undefined): SecureContext;
  /** PEM text of the first certificate: the server's default for clients that send no SNI. */
  readonly fallback: { cert: string; key: string };
}

/** DNS names a certificate is valid for: its subjectAltName DNS entries, else its subject CN. */
export function certificateNames(cert: X509Certificate): string[] {
  const san = cert.subjectAltName;
  if (san) {
    return san
      .split(",")
      .map((entry) => entry.trim())
      .filter((entry) => entry.startsWith("DNS:"))
      .map((entry) => entry.slice(4).toLowerCase());
  }
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
  return cn ? [cn.toLowerCase()] : [];
}

interface Loaded {
  names: string[];
  context: SecureContext;
  pem: { cert: string; key: string };
}

async function loadOne(files: CertificateFiles): Promise<Loaded> {
  let cert: string;
  let key: string;
  try {
    [cert, key] = await Promise.all([readFile(files.certFile, "utf8"), readFile(files.keyFile, "utf8")]);
  } catch (err) {
    throw new DockhandError(
      "DOCKHAND_E_PROXY",
      `TLS certificate ${files.certFile}: cannot read it or its key ${files.keyFile}`,
      { cause: err },
    );
  }
  try {
    const names = certificateNames(new X509Certificate(cert));
    return { names, context: createSecureContext({ cert, key }), pem: { cert, key } };
  } catch (err) {
    throw new DockhandError(
      "DOCKHAND_E_PROXY",
      `TLS certificate ${files.certFile} with key ${files.keyFile}: ${(err as Error).message} (expected a PEM certificate and its matching PEM private key)`,
      { cause: err },
    );
  }
}

export async function loadCertificates(files: readonly CertificateFiles[]): Promise<CertificateSet> {
  if (files.length === 0)
    throw new DockhandError("DOCKHAND_E_USAGE", "TLS needs at least one certificate (certFile and keyFile)");
  const loaded = await Promise.all(files.map(loadOne));
  const exact = new Map<string, SecureContext>();
  const wildcard = new Map<string, SecureContext>();
  for (const { names, context } of loaded) {
    for (const name of names) {
      const map = name.startsWith("*.") ? wildcard : exact;
      const key = name.startsWith("*.") ? name.slice(2) : name;
      if (!map.has(key)) map.set(key, context);
    }
  }
  const fallback = loaded[0]!.context;
  return {
    names: loaded.flatMap((l) => l.names),
    fallback: loaded[0]!.pem,
    contextFor(servername) {
      const host = normalizeHost(servername);
      if (host === undefined) return fallback;
      const hit = exact.get(host);
      if (hit) return hit;
      const dot = host.indexOf(".");
      return (dot > 0 ? wildcard.get(host.slice(dot + 1)) : undefined) ?? fallback;
    },
  };
}
