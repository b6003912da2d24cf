export {
  type CreateGitHubReportingOptions,
  createGitHubReporting,
  type GitHubReporting,
} from "./create-github-reporting.js";
export { COMMENT_MARKER } from "./ensure-comment.js";
export {
  createGitHubClient,
  type GitHubClient,
  type GitHubClientOptions,
  GitHubOctokit,
  type GitHubOctokitInstance,
} from "./github-client.js";
export { GitHubDeployReporter, type GitHubReporterOptions } from "./github-deploy-reporter.js";
export { GitHubPullRequestReporter, type GitHubPullRequestReporterOptions } from "./github-pull-request-reporter.js";
export { DEFAULT_GITHUB_API_URL, type GitHubSettings, readGitHubSettings } from "./github-settings.js";
export { renderCheckOutput } from "./render-check-output.js";
export { renderPullRequestComment } from "./render-pull-request-comment.js";
export { checkName, PLAN_CHECK_NAME } from "./status-words.js";
