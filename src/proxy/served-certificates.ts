/**
 * The certificates an HTTPS server of the built-in proxy presents, kept in
 * step with their files: read at start, read again when their folders change
 * (a renewal), and swapped in for new connections while the connections
 * already open keep theirs. A renewal caught half-written (a key
 * that does not match its certificate yet) is logged and the certificates
 * served so far stay; the write that completes it triggers another read.
 */
import type { Server as HttpsServer } from "node:https";
import type { SecureContext } from "node:tls";
import { LatestOnly } from "./latest-only.js";
import type { ProxyLog } from "./proxy-log.js";
import { type CertificateFiles, type CertificateSet, loadCertificates } from "./tls-certificates.js";
import { type CertificateWatch, watchCertificates } from "./watch-certificates.js";

export class ServedCertificates {
  private current: CertificateSet | undefined;
  private server: HttpsServer | undefined;
  private watch: CertificateWatch | undefined;
  private readonly reloads: LatestOnly<void, CertificateSet>;

  constructor(
    private readonly files: readonly CertificateFiles[],
    private readonly log: ProxyLog,
    /** How long a change in the folders may settle before the files are read (the reads then run one at a time). */
    settleMs: number,
  ) {
    this.reloads = new LatestOnly(() => this.read(), settleMs);
  }

  /** Reads the files; what the server is created with (`fallback`, and `sni` as its SNICallback). */
  async load(): Promise<CertificateSet> {
    return this.read();
  }

  /** For the server's SNICallback: the context of the newest certificates read. */
  readonly sni = (name: string, done: (err: Error | null, context?: SecureContext) => void): void =>
    done(null, this.current?.contextFor(name));

  /** Starts following the files for `server` (created with what load() returned). */
  follow(server: HttpsServer): void {
    this.server = server;
    this.watch = watchCertificates(
      this.files,
      () => void this.reloadAfterChange(),
      (folder, err) =>
        this.log.warn(
          { folder, err: err.message },
          "cannot watch this certificate folder: renewals in it need a restart",
        ),
    );
  }

  close(): void {
    this.watch?.close();
    this.watch = undefined;
    this.server = undefined;
  }

  private async read(): Promise<CertificateSet> {
    const set = await loadCertificates(this.files);
    this.current = set;
    this.server?.setSecureContext({ ...set.fallback });
    return set;
  }

  private async reloadAfterChange(): Promise<void> {
    try {
      const set = await this.reloads.run();
      this.log.info({ names: set.names }, "TLS certificates read again after their files changed");
    } catch (err) {
      this.log.warn(
        { err: err instanceof Error ? err.message : String(err) },
        "TLS certificate files changed but do not load; the certificates read before are still served",
      );
    }
  }
}
