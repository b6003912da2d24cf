/**
 * A small valid deploy repo, and helpers to break one file of it and read the
 * problems back as the formatted lines a person sees.
 */
import { parseDeployRepo } from "../../../src/config/index.js";
import { ConfigError, type DesiredState, formatConfigIssue, type RepoSnapshot } from "../../../src/model/index.js";

export const SHA = "0123456789abcdef0123456789abcdef01234567";

export const DOCKHAND_YAML = `hosts:
  alpha:
    docker: local
    address: 127.0.0.1
    labels: { zone: a }
  beta:
    docker: tcp://127.0.0.2:2376
    tls: { ca: certs/ca.pem, cert: certs/cert.pem, key: certs/key.pem }
    address: 127.0.0.2
    labels: { zone: b }
`;

export const WEB_YAML = `name: web
image: busybox:stable
port: 8080
hostnames: [www.example.com]
`;

export const TREES: Record<string, string> = {
  "": "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
  apps: "1111111111111111111111111111111111111111",
  services: "2222222222222222222222222222222222222222",
  "services/api": "3333333333333333333333333333333333333333",
};

export function snapshotOf(files: Record<string, string | undefined>, trees = TREES): RepoSnapshot {
  const present: Record<string, string> = {};
  for (const [path, text] of Object.entries(files)) if (text !== undefined) present[path] = text;
  return { source: { repo: "file:///srv/deploy", sha: SHA }, files: present, trees };
}

/** The valid repo with some files replaced (or removed, with undefined). */
export function repoWith(files: Record<string, string | undefined>): RepoSnapshot {
  return snapshotOf({ "dockhand.yaml": DOCKHAND_YAML, "apps/web.yaml": WEB_YAML, ...files });
}

export function parse(files: Record<string, string | undefined>): DesiredState {
  return parseDeployRepo(repoWith(files));
}

/** The formatted problems parseDeployRepo reports; fails the test when it reports none. */
export function problems(files: Record<string, string | undefined>): string[] {
  try {
    parseDeployRepo(repoWith(files));
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map(formatConfigIssue);
    throw error;
  }
  throw new Error("expected a ConfigError, but the deploy repo parsed");
}

/** Like problems, but an empty list when the repo parses. */
export function problemsOrNone(files: Record<string, string | undefined>): string[] {
  try {
    parseDeployRepo(repoWith(files));
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map(formatConfigIssue);
    throw error;
  }
}
