/**
 * A real git remote (a bare repository on disk) seeded from
 * deploy-repo-example, and a work tree to push changes from.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const EXAMPLE_DIR = join(import.meta.dirname, "..", "..", "deploy-repo-example");

export interface TestDeployRepo {
  /** Path of the bare repository: what DOCKHAND_REPO points at. */
  remote: string;
  /** A clone to edit and push from. */
  work: string;
  root: string;
  edit(path: string, change: (text: string) => string): void;
  /** Commits everything and pushes to main; returns the new sha. */
  push(message: string): string;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "test",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "test",
      GIT_COMMITTER_EMAIL: "t@example.com",
    },
  }).trim();
}

export function createDeployRepo(tweak?: (work: string) => void): TestDeployRepo {
  const root = mkdtempSync(join(tmpdir(), "dockhand-repo-"));
  const remote = join(root, "deploy.git");
  const work = join(root, "work");
  git(root, "init", "--quiet", "--bare", "--initial-branch=main", remote);
  cpSync(EXAMPLE_DIR, work, { recursive: true });
  tweak?.(work);
  git(work, "init", "--quiet", "--initial-branch=main");
  git(work, "remote", "add", "origin", remote);
  const repo: TestDeployRepo = {
    remote,
    work,
    root,
    edit(path, change) {
      const file = join(work, path);
      writeFileSync(file, change(readFileSync(file, "utf8")));
    },
    push(message) {
      git(work, "add", "-A");
      git(work, "commit", "--quiet", "-m", message);
      git(work, "push", "--quiet", "origin", "main");
      return git(work, "rev-parse", "HEAD");
    },
  };
  repo.push("seed from deploy-repo-example");
  return repo;
}
