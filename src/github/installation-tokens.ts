/**
 * Installation tokens of a GitHub App: one per installation, asked for with
 * the App's JWT and asked for again a margin before the hour GitHub gives
 * them, so a rollout that outlives a token never writes with an expired one.
 * auth-app signs the JWT and fetches; the expiry bookkeeping is ours, because
 * auth-app's cache counts 59 minutes from when it fetched, not from the
 * token's `expires_at`.
 */
import type { Octokit } from "@octokit/core";
import { gitHubFailure } from "./github-errors.js";
import { splitRepository } from "./repository-name.js";

/** Ask for a new token this long before the old one expires. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;

interface Held {
  token: string;
  expiresAt: number;
}

export interface InstallationTokensOptions {
  /** An Octokit whose authStrategy is auth-app's createAppAuth. */
  app: Octokit;
  now?: () => number;
  refreshMarginMs?: number;
}

export class InstallationTokens {
  private readonly held = new Map<number, Held>();
  private readonly pending = new Map<number, Promise<Held>>();
  private readonly installations = new Map<string, number>();
  private readonly now: () => number;
  private readonly margin: number;

  constructor(private readonly options: InstallationTokensOptions) {
    this.now = options.now ?? Date.now;
    this.margin = options.refreshMarginMs ?? TOKEN_REFRESH_MARGIN_MS;
  }

  /** A token good for at least the margin; concurrent callers share one request. */
  async token(installationId: number, repository: string): Promise<string> {
    const held = this.held.get(installationId);
    if (held && held.expiresAt - this.now() > this.margin) return held.token;
    let pending = this.pending.get(installationId);
    if (!pending) {
      pending = this.fetch(installationId, repository).finally(() => this.pending.delete(installationId));
      this.pending.set(installationId, pending);
    }
    return (await pending).token;
  }

  /** Forget a token GitHub refused, so the next call asks for a new one. */
  invalidate(installationId: number): void {
    this.held.delete(installationId);
  }

  /** The App's installation on `owner/name` (the webhook's, when it told us; else asked once). */
  async installationFor(repository: string): Promise<number> {
    const known = this.installations.get(repository);
    if (known !== undefined) return known;
    try {
      const { data } = await this.options.app.request(
        "GET /repos/{owner}/{repo}/installation",
        splitRepository(repository),
      );
      this.installations.set(repository, data.id);
      return data.id;
    } catch (err) {
      throw gitHubFailure(err, { what: "find the App's installation", repository, auth: "app", asApp: true });
    }
  }

  remember(repository: string, installationId: number): void {
    this.installations.set(repository, installationId);
  }

  private async fetch(installationId: number, repository: string): Promise<Held> {
    try {
      const auth = (await this.options.app.auth({ type: "installation", installationId, refresh: true })) as {
        token: string;
        expiresAt: string;
      };
      const held = { token: auth.token, expiresAt: Date.parse(auth.expiresAt) };
      this.held.set(installationId, held);
      return held;
    } catch (err) {
      throw gitHubFailure(err, { what: "get an installation token", repository, auth: "app", asApp: true });
    }
  }
}
