/**
 * The one way src/github reaches GitHub: Octokit with the throttling and
 * retry plugins (rate limits, secondary limits with retry-after, 5xx), writes
 * paced as GitHub asks, and credentials per repository: an installation
 * token of the App, or the personal token. The Octokit class and fetch are
 * injectable, so tests point it at a local fake without global interceptors.
 */
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/core";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import Bottleneck from "bottleneck";
import type { Logger } from "pino";
import { DockhandError } from "../model/errors.js";
import { gitHubFailure } from "./github-errors.js";
import type { GitHubSettings } from "./github-settings.js";
import { InstallationIds } from "./installation-ids.js";
import { splitRepository } from "./repository-name.js";

export const GitHubOctokit = Octokit.plugin(throttling, retry);
export type GitHubOctokitInstance = InstanceType<typeof GitHubOctokit>;

/** GitHub asks integrators to leave a second between writes (content creation limits). */
export const DEFAULT_WRITE_INTERVAL_MS = 1000;
/** A rate limit that resets later than this is not waited for: the report is dropped and logged. */
export const MAX_RATE_LIMIT_WAIT_SECONDS = 120;

export interface GitHubClientOptions {
  settings: GitHubSettings;
  log: Logger;
  /** Default: global fetch. */
  fetch?: typeof fetch;
  /** Default: Octokit with the throttling and retry plugins. */
  Octokit?: typeof GitHubOctokit;
  /** The clock of the reporters made with this client (create-github-reporting.ts). */
  now?: () => number;
  /** Pause between writes. Default 1 s (GitHub's guidance); tests pass 0. */
  writeIntervalMs?: number;
  /** Unit of retry-after and of retry backoff, in ms. Default 1000; tests pass less. */
  retryUnitMs?: number;
}

export interface GitHubClient {
  readonly mode: "app" | "token";
  readonly apiUrl: string;
  /** An Octokit that may write to `owner/name`; `installationId` (from a webhook) saves a lookup. */
  forRepo(repository: string, installationId?: number): Promise<GitHubOctokitInstance>;
  /**
   * The login GitHub shows as the author of what dockhand writes: `<app-slug>[bot]` with an App (GET /app,
   * signed as the App), the token's user with a token (GET /user). Asked once per client; `repository`
   * only names where it was needed in an error.
   */
  ownLogin(repository: string): Promise<string>;
  /**
   * Whether GitHub takes the credentials, and the App is installed on
   * `repository`: at start, so a wrong App ID or key is said at once rather
   * than on the first deploy. Throws DOCKHAND_E_GITHUB with the fix.
   */
  check(repository: string): Promise<void>;
}

function octokitLog(log: Logger) {
  return {
    debug: (message: string) => log.debug({ github: message }, "github"),
    info: (message: string) => log.debug({ github: message }, "github"),
    warn: (message: string) => log.warn({ github: message }, "github"),
    error: (message: string) => log.error({ github: message }, "github"),
  };
}

function baseOptions(options: GitHubClientOptions) {
  const unit = options.retryUnitMs ?? 1000;
  const minTime = options.writeIntervalMs ?? DEFAULT_WRITE_INTERVAL_MS;
  const limited =
    (kind: string) => (retryAfter: number, request: { method: string; url: string }, _o: unknown, count: number) => {
      const retrying = count < 3 && retryAfter <= MAX_RATE_LIMIT_WAIT_SECONDS;
      options.log.warn({ kind, retryAfter, method: request.method, url: request.url, retrying }, "GitHub rate limit");
      return retrying;
    };
  return {
    baseUrl: options.settings.apiUrl,
    userAgent: "dockhand",
    log: octokitLog(options.log),
    request: options.fetch ? { fetch: options.fetch } : {},
    throttle: {
      onRateLimit: limited("primary"),
      onSecondaryRateLimit: limited("secondary"),
      retryAfterBaseValue: unit,
      fallbackSecondaryRateRetryAfter: 60,
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: minTime * 3 }),
    },
    retry: { retryAfterBaseValue: unit, retries: 3 },
  };
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const OctokitClass = options.Octokit ?? GitHubOctokit;
  const base = baseOptions(options);
  const { settings } = options;
  if (settings.auth.kind === "token") {
    const octokit = new OctokitClass({ ...base, auth: settings.auth.token });
    return {
      mode: "token",
      apiUrl: settings.apiUrl,
      forRepo: async () => octokit,
      ownLogin: askedOnce(async (repository) => {
        const { data } = await octokit.request("GET /user").catch((err: unknown) => {
          throw gitHubFailure(err, { what: "read GITHUB_TOKEN's user (GET /user)", repository, auth: "token" });
        });
        return data.login;
      }),
      check: async (repository) => {
        await octokit.request("GET /repos/{owner}/{repo}", splitRepository(repository)).catch((err: unknown) => {
          throw gitHubFailure(err, { what: "read the repository", repository, auth: "token" });
        });
      },
    };
  }
  const appAuth = { appId: settings.auth.appId, privateKey: settings.auth.privateKeyPem };
  const app = new OctokitClass({ ...base, authStrategy: createAppAuth, auth: appAuth });
  const installations = new InstallationIds(app);
  const byInstallation = new Map<number, GitHubOctokitInstance>();
  return {
    mode: "app",
    apiUrl: settings.apiUrl,
    async forRepo(repository, installationId) {
      if (installationId !== undefined) installations.remember(repository, installationId);
      const id = installationId ?? (await installations.of(repository));
      let octokit = byInstallation.get(id);
      if (!octokit) {
        const made = new OctokitClass({
          ...base,
          authStrategy: createAppAuth,
          auth: { ...appAuth, installationId: id },
        });
        whenRefused(made, id, repository, () => {
          if (byInstallation.get(id) === made) byInstallation.delete(id);
        });
        octokit = made;
        byInstallation.set(id, octokit);
      }
      return octokit;
    },
    ownLogin: askedOnce(async (repository) => {
      const { data } = await app.request("GET /app").catch((err: unknown) => {
        throw gitHubFailure(err, { what: "read the App's name (GET /app)", repository, auth: "app", asApp: true });
      });
      if (!data?.slug) throw new DockhandError("DOCKHAND_E_GITHUB", "GitHub's answer to GET /app has no slug");
      return `${data.slug}[bot]`;
    }),
    async check(repository) {
      await installations.of(repository);
    },
  };
}

/** The first call's answer for every later call; a failure is not kept, so the next call asks again. */
function askedOnce(ask: (repository: string) => Promise<string>): (repository: string) => Promise<string> {
  let pending: Promise<string> | undefined;
  return (repository) => {
    pending ??= ask(repository).catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}

const TOKEN_REQUEST = /\/app\/installations\/\d+\/access_tokens$/;

/**
 * An installation's Octokit runs auth-app's hook: it asks for the token,
 * keeps it in auth-app's cache (59 of GitHub's 60 minutes) and, within five
 * seconds of a token's creation, retries a 401 that GitHub's replication delay
 * causes (plugin-retry never retries a 401). A 401 that outlasts that means
 * GitHub no longer takes the token: `forget` drops this Octokit, and its
 * cache with it, so the next report gets a new token. A refused token
 * request is the App's own (its JWT), and says so.
 */
function whenRefused(octokit: GitHubOctokitInstance, id: number, repository: string, forget: () => void): void {
  octokit.hook.error("request", (error) => {
    if ((error as { status?: number }).status === 401) forget();
    const url = (error as { request?: { url?: string } }).request?.url ?? "";
    if (TOKEN_REQUEST.test(url)) {
      throw gitHubFailure(error, { what: `get a token of installation ${id}`, repository, auth: "app", asApp: true });
    }
    throw error;
  });
}
