/**
 * GitHub settings from the environment (docs/operations.md): a GitHub App
 * (GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY) or a token (GITHUB_TOKEN), and
 * GITHUB_API_URL, so the same code talks to github.com and GitHub Enterprise.
 * Read once at start; a mistake is a message that says how to fix it.
 */
import { DockhandError } from "../model/errors.js";
import { readPrivateKey } from "./read-private-key.js";

export const DEFAULT_GITHUB_API_URL = "https://api.github.com";

export type GitHubAuthSettings =
  /** Check runs, the PR comment and deployments as the App; tokens per installation. */
  | { kind: "app"; appId: number; privateKeyPem: string }
  /** A personal or fine-grained token: commit statuses instead of check runs (those need an App). */
  | { kind: "token"; token: string };

export interface GitHubSettings {
  /** No trailing slash. */
  apiUrl: string;
  auth: GitHubAuthSettings;
}

function usage(message: string): DockhandError {
  return new DockhandError("DOCKHAND_E_USAGE", message);
}

function value(env: Record<string, string | undefined>, key: string): string | undefined {
  const v = env[key]?.trim();
  return v ? v : undefined;
}

export function parseApiUrl(text: string | undefined): string {
  if (text === undefined) return DEFAULT_GITHUB_API_URL;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(
      `GITHUB_API_URL must be a URL like ${DEFAULT_GITHUB_API_URL} (or https://github.example.com/api/v3 for GitHub Enterprise), got "${text}"`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw usage(`GITHUB_API_URL must be an http(s) URL, got "${text}"`);
  }
  return text.replace(/\/+$/, "");
}

function parseAppId(text: string): number {
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id) || id <= 0) {
    throw usage(
      `GITHUB_APP_ID must be the App's numeric ID (the "App ID" on its settings page), got "${text}"; the client ID (Iv1....) is not it`,
    );
  }
  return id;
}

/**
 * Undefined when none of GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and
 * GITHUB_TOKEN is set: dockhand then reports to logs only. An App wins over a
 * token when both are set.
 */
export function readGitHubSettings(env: Record<string, string | undefined>): GitHubSettings | undefined {
  const appId = value(env, "GITHUB_APP_ID");
  const key = value(env, "GITHUB_APP_PRIVATE_KEY");
  const token = value(env, "GITHUB_TOKEN");
  const apiUrl = parseApiUrl(value(env, "GITHUB_API_URL"));
  if (appId !== undefined || key !== undefined) {
    if (appId === undefined) {
      throw usage("GITHUB_APP_PRIVATE_KEY is set but GITHUB_APP_ID is not: set it to the App's numeric ID");
    }
    if (key === undefined) {
      throw usage(
        "GITHUB_APP_ID is set but GITHUB_APP_PRIVATE_KEY is not: set it to the App's private key (the .pem file's contents or its path)",
      );
    }
    return { apiUrl, auth: { kind: "app", appId: parseAppId(appId), privateKeyPem: readPrivateKey(key) } };
  }
  if (token !== undefined) return { apiUrl, auth: { kind: "token", token } };
  return undefined;
}
