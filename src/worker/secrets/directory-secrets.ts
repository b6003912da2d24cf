/**
 * Secrets from a directory beside dockhand (DOCKHAND_SECRETS_DIR, issue 4):
 * `<dir>/<env>/<app>/<NAME>` first (a value per environment: issue 15), then
 * `<dir>/<app>/<NAME>`, then `<dir>/<NAME>` for secrets apps share.
 * One trailing newline is dropped (what `echo value > file` adds). Digests
 * are HMAC-SHA256 with a key of this install (see digest-key.ts), so a digest
 * in a plan or a label says nothing of the value.
 */
import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DockhandError, type SecretSource } from "../../model/index.js";

export interface DirectorySecretsOptions {
  /** DOCKHAND_SECRETS_DIR. */
  dir: string;
  /** The install's digest key: every worker must use the same one, or their spec hashes differ. */
  key: () => Promise<Buffer>;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** An app or environment name: one plain path segment. */
const SEGMENT_RE = /^[a-z][a-z0-9-]*$/;

export class DirectorySecrets implements SecretSource {
  private key: Promise<Buffer> | undefined;

  constructor(private readonly options: DirectorySecretsOptions) {}

  async read(app: string, name: string, env?: string): Promise<string | undefined> {
    // Names are checked by config; checked again here because they become paths.
    if (!NAME_RE.test(name) || !SEGMENT_RE.test(app)) return undefined;
    for (const path of this.paths(app, name, env)) {
      const value = await readIfThere(path);
      if (value !== undefined) return value.replace(/\r?\n$/, "");
    }
    return undefined;
  }

  async digest(value: string): Promise<string> {
    this.key ??= this.options.key();
    return createHmac("sha256", await this.key)
      .update(value)
      .digest("hex");
  }

  where(app: string, name: string, env?: string): string {
    const paths = this.paths(app, name, env);
    return `${paths.slice(0, -1).join(", ")} or ${paths.at(-1)}`;
  }

  private paths(app: string, name: string, env: string | undefined): string[] {
    const { dir } = this.options;
    const own = env !== undefined && SEGMENT_RE.test(env) ? [join(dir, env, app, name)] : [];
    return [...own, join(dir, app, name), join(dir, name)];
  }
}

export async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new DockhandError("DOCKHAND_E_USAGE", `cannot read secret file ${path}: ${(err as Error).message}`);
  }
}
