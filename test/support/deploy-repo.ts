/**
 * A real git remote (a bare repository on disk) seeded from
 * deploy-repo-example, and a work tree to push changes from.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const EXAMPLE_DIR = join(import.meta.dirname, "..", "..", "deploy-repo-example");

/** The example's stateful service and worker, and what they are built from. */
export const EXAMPLE_STACK = ["apps/kv.yaml", "apps/worker.yaml", "services/kv", "services/worker"];

/**
 * deploy-repo-example copied to `dest`. By default as the tests have always
 * known it: web and api, at the loopback addresses the test bed binds to
 * (tests reach containers there); with `stack`, as shipped: kv and worker
 * too, at the bridge gateways their containers reach each other by.
 */
export function copyExample(dest: string, options: { stack?: boolean } = {}): void {
  cpSync(EXAMPLE_DIR, dest, { recursive: true });
  if (options.stack) return;
  for (const path of EXAMPLE_STACK) rmSync(join(dest, path), { recursive: true, force: true });
  const file = join(dest, "dockhand.yaml");
  const loopback = readFileSync(file, "utf8")
    .replace("address: 172.30.0.1", "address: 127.0.0.1")
    .replace("address: 172.31.0.1", "address: 127.0.0.2");
  writeFileSync(file, loopback);
}

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

/** git in `cwd` with a fixed author, for test and benchmark commits. */
export function git(cwd: string, ...args: string[]): string {
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

export function createDeployRepo(tweak?: (work: string) => void, options: { stack?: boolean } = {}): TestDeployRepo {
  const root = mkdtempSync(join(tmpdir(), "dockhand-repo-"));
  const repo = gitRemote(root, "deploy", (work) => {
    copyExample(work, options);
    tweak?.(work);
  });
  repo.push("seed from deploy-repo-example");
  return repo;
}

/** An app's own source repository (`build.git`): a bare remote with `files` on main. */
export function createSourceRepo(files: Record<string, string>, name = "app"): TestDeployRepo {
  const root = mkdtempSync(join(tmpdir(), "dockhand-source-"));
  const repo = gitRemote(root, name, (work) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), text);
    }
  });
  repo.push("first commit");
  return repo;
}

/** `<root>/<name>.git` (bare, branch main) and a work tree `<root>/<name>` pushing to it. */
function gitRemote(root: string, name: string, fill: (work: string) => void): TestDeployRepo {
  const remote = join(root, `${name}.git`);
  const work = join(root, name === "deploy" ? "work" : name);
  git(root, "init", "--quiet", "--bare", "--initial-branch=main", remote);
  mkdirSync(work, { recursive: true });
  fill(work);
  git(work, "init", "--quiet", "--initial-branch=main");
  git(work, "remote", "add", "origin", remote);
  return {
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
      git(work, "push", "--quiet", "origin", "HEAD:main");
      return git(work, "rev-parse", "HEAD");
    },
  };
}
