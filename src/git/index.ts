export { isDeployFile, ROOT_CONFIG_FILE } from "./deploy-files.js";
export { DirectoryRepo, type DirectoryRepoOptions, WORKTREE_SHA } from "./directory-repo.js";
export { GitRepo, type GitRepoOptions } from "./git-repo.js";
export { type OpenRepoOptions, openRepo } from "./open-repo.js";
export { DEFAULT_GIT_TIMEOUTS, type GitTimeouts } from "./run-git.js";
export { SourceRepositories } from "./source-repositories.js";
export { StatusBranch, StatusBranchReporter } from "./status-branch.js";
export { buildEnvironmentStatus } from "./status-record.js";
