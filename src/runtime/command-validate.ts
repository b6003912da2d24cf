import { ConfigError, type ConfigIssue } from "../model/index.js";
import { out } from "./cli-io.js";
import type { DockhandEnv } from "./env.js";
import { loadDesired, type RepoFlags } from "./load-state.js";

export interface ValidateFlags extends RepoFlags {
  json?: boolean;
}

/** One problem of `validate --json`: where (1-based line and column), which key (null: the file or a map as a whole) and what. */
export interface ValidateProblem {
  file: string;
  line: number;
  column: number;
  key: string | null;
  message: string;
}

/** Exit 0 when the deploy repo is valid; 1 with every problem (on stderr, or with --json as JSON on stdout). */
export async function commandValidate(env: DockhandEnv, flags: ValidateFlags): Promise<number> {
  let loaded: Awaited<ReturnType<typeof loadDesired>>;
  try {
    loaded = await loadDesired(env, flags);
  } catch (error) {
    if (!flags.json || !(error instanceof ConfigError)) throw error;
    out(JSON.stringify({ valid: false, problems: error.issues.map(toProblem) }, null, 2));
    return 1;
  }
  const { desired } = loaded;
  const summary = {
    apps: desired.apps.length,
    replicas: desired.apps.reduce((n, a) => n + a.replicas, 0),
    hosts: desired.hosts.length,
  };
  if (flags.json) {
    const source = { repo: desired.source.repo, sha: desired.source.sha };
    out(JSON.stringify({ valid: true, problems: [], ...summary, source }, null, 2));
  } else {
    out(
      `ok: ${summary.apps} apps, ${summary.replicas} replicas, ${summary.hosts} hosts (${desired.source.repo} at ${desired.source.sha.slice(0, 12)})`,
    );
  }
  return 0;
}

function toProblem(issue: ConfigIssue): ValidateProblem {
  return { file: issue.file, line: issue.line, column: issue.column, key: issue.path || null, message: issue.message };
}
