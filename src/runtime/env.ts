import { resolve } from "node:path";
import { DEFAULT_INSTANCE, DockhandError } from "../model/index.js";
import { type HttpEnv, readHttpEnv } from "./http-env.js";
import { type QueueEnv, readQueueEnv } from "./queue-env.js";
import { readRepositorySecrets } from "./repository-secrets.js";

/** Settings from the environment (docs/architecture.md#configuration), parsed once at start. */
export interface DockhandEnv {
  repo?: string;
  branch: string;
  githubRepo?: string;
  webhookSecrets: string[];
  /** DOCKHAND_WEBHOOK_SECRETS: repositories with a webhook secret of their own, by lower-cased owner/name. */
  repositorySecrets: Record<string, string[]>;
  redisUrl?: string;
  stateDir: string;
  httpPort: number;
  adminToken?: string;
  instance: string;
  logLevel: string;
  /** DOCKHAND_SECRETS_DIR: where apps' secret values live (`<app>/<NAME>`, then `<NAME>`). */
  secretsDir?: string;
  /** DOCKHAND_POLL_INTERVAL, DOCKHAND_JOB_TIMEOUT, DOCKHAND_LOCK_TTL, DOCKHAND_STOP_GRACE (queue-env.ts). */
  queue: QueueEnv;
  /** DOCKHAND_SESSION_TTL, DOCKHAND_INSECURE_COOKIES, DOCKHAND_METRICS_TOKEN (http-env.ts). */
  http: HttpEnv;
}

export const DEFAULTS = {
  branch: "main",
  stateDir: ".dockhand",
  httpPort: 3000,
  logLevel: "info",
} as const;

export function readEnv(env: NodeJS.ProcessEnv = process.env): DockhandEnv {
  const repo = nonEmpty(env.DOCKHAND_REPO);
  const port = Number(env.DOCKHAND_HTTP_PORT ?? DEFAULTS.httpPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DockhandError(
      "DOCKHAND_E_USAGE",
      `DOCKHAND_HTTP_PORT must be a port number (0-65535), got "${env.DOCKHAND_HTTP_PORT}"`,
    );
  }
  return {
    repo,
    branch: nonEmpty(env.DOCKHAND_BRANCH) ?? DEFAULTS.branch,
    githubRepo: nonEmpty(env.DOCKHAND_GITHUB_REPO) ?? (repo ? githubRepoOf(repo) : undefined),
    // A comma-separated list, so a secret can be rotated without dropping deliveries.
    webhookSecrets: (env.DOCKHAND_WEBHOOK_SECRET ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    repositorySecrets: readRepositorySecrets(env.DOCKHAND_WEBHOOK_SECRETS),
    redisUrl: nonEmpty(env.REDIS_URL),
    stateDir: resolve(nonEmpty(env.DOCKHAND_STATE_DIR) ?? DEFAULTS.stateDir),
    httpPort: port,
    adminToken: nonEmpty(env.DOCKHAND_ADMIN_TOKEN),
    instance: nonEmpty(env.DOCKHAND_INSTANCE) ?? DEFAULT_INSTANCE,
    logLevel: nonEmpty(env.DOCKHAND_LOG_LEVEL) ?? DEFAULTS.logLevel,
    secretsDir: nonEmpty(env.DOCKHAND_SECRETS_DIR) && resolve(env.DOCKHAND_SECRETS_DIR as string),
    queue: readQueueEnv(env),
    http: readHttpEnv(env),
  };
}

/** `owner/name` of a GitHub URL (https or ssh), else undefined. */
export function githubRepoOf(url: string): string | undefined {
  const m =
    /^(?:https?:\/\/(?:[^@/]+@)?github\.com\/|git@github\.com:|ssh:\/\/git@github\.com\/)([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(
      url,
    );
  return m ? `${m[1]}/${m[2]}` : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
