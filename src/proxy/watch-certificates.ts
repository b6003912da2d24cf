/**
 * Tells when the certificate files may have been renewed, so the built-in
 * proxy serves a renewal without a restart (docs/proxy.md#https-from-certificate-files-built-in-proxy).
 * It watches the folders that hold the files, not the files: renewals
 * replace them (certbot repoints the links in live/, a Kubernetes secret
 * swaps its ..data link, a deploy hook renames a new file into place), and a
 * watch on a file follows the old inode and never sees its successor.
 */
import { type FSWatcher, watch } from "node:fs";
import { dirname } from "node:path";
import type { CertificateFiles } from "./tls-certificates.js";

export interface CertificateWatch {
  close(): void;
}

/** Calls `changed` on every change in a folder holding one of `files`; `failed` when a folder cannot be watched. */
export function watchCertificates(
  files: readonly CertificateFiles[],
  changed: () => void,
  failed: (folder: string, err: Error) => void,
): CertificateWatch {
  const folders = new Set(files.flatMap((f) => [dirname(f.certFile), dirname(f.keyFile)]));
  const watchers: FSWatcher[] = [];
  for (const folder of folders) {
    try {
      // Not persistent: a proxy that is stopping must not be kept alive by its watch.
      const watcher = watch(folder, { persistent: false }, () => changed());
      watcher.on("error", (err) => failed(folder, err));
      watchers.push(watcher);
    } catch (err) {
      failed(folder, err as Error);
    }
  }
  return {
    close() {
      for (const watcher of watchers.splice(0)) watcher.close();
    },
  };
}
