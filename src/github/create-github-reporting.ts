/**
 * The composition root's one call: GitHub settings from the environment ─▶ a
 * client ─▶ the two reporters. Undefined when no GitHub credentials are set
 * (reports then go to the log only).
 */
import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from "./github-client.js";
import { GitHubDeployReporter } from "./github-deploy-reporter.js";
import { GitHubPullRequestReporter } from "./github-pull-request-reporter.js";
import { readGitHubSettings } from "./github-settings.js";

export interface GitHubReporting {
  client: GitHubClient;
  deploys: GitHubDeployReporter;
  pullRequests: GitHubPullRequestReporter;
}

export interface CreateGitHubReportingOptions extends Omit<GitHubClientOptions, "settings"> {
  /** process.env, or a test's own. */
  env: Record<string, string | undefined>;
  /** `owner/name` of the deploy repo (DOCKHAND_GITHUB_REPO). */
  repository: string;
  /** Scheme of hostname and preview links. Default https. */
  scheme?: "http" | "https";
}

export function createGitHubReporting(options: CreateGitHubReportingOptions): GitHubReporting | undefined {
  const settings = readGitHubSettings(options.env);
  if (!settings) return undefined;
  const log = options.log.child({ component: "github" });
  const client = createGitHubClient({ ...options, settings, log });
  log.info({ mode: client.mode, apiUrl: client.apiUrl, repository: options.repository }, "reporting to GitHub");
  return {
    client,
    deploys: new GitHubDeployReporter({
      client,
      repository: options.repository,
      log,
      scheme: options.scheme,
      now: options.now,
    }),
    pullRequests: new GitHubPullRequestReporter({ client, log, now: options.now }),
  };
}
