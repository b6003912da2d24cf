/**
 * What a check run says (title, summary, text, annotations), from our model
 * types only: a per-app table (result, replicas, hosts, image, duration,
 * hostnames as links), the failing step with its error and log tail, config
 * errors as annotations on their file and line. The summary stays under
 * GitHub's 65,535 characters however many apps: rows that do not fit are
 * counted, never cut in half.
 */
import type { AppChange, AppOutcome, ConfigIssue, DeployOutcome, PlannedSync } from "../model/index.js";
import { formatConfigIssue, unlinked } from "../model/index.js";
import {
  cell,
  code,
  codeCell,
  escapeMarkdown,
  fenced,
  fitParts,
  formatDuration,
  GITHUB_TEXT_LIMIT,
  shortSha,
  tail,
  truncate,
} from "./markdown.js";

export type SyncPhase = "started" | "planned" | "finished";

export interface CheckOutputInput {
  env: string;
  sha: string;
  phase: SyncPhase;
  planned?: PlannedSync;
  outcome?: DeployOutcome;
  /** Scheme of hostname links. Default https. */
  scheme?: "http" | "https";
}

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "failure" | "warning" | "notice";
  title: string;
  message: string;
}

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
  annotations: CheckAnnotation[];
}

/** GitHub takes at most 50 annotations per request. */
export const MAX_ANNOTATIONS = 50;
const LOG_LINES = 40;
const LOG_CHARS = 4000;
const RESULT_WORDS = {
  succeeded: ":white_check_mark: deployed",
  noop: "unchanged",
  failed: ":x: failed",
  rolledBack: ":leftwards_arrow_with_hook: rolled back",
} as const;

export function renderCheckOutput(input: CheckOutputInput): CheckOutput {
  const error = input.outcome?.error;
  if (error?.issues?.length) return configErrorOutput(input.sha, error.issues);
  const title = titleOf(input);
  const head = [`**${title}** · ${code(input.env)} at ${code(shortSha(input.sha))}`, ""];
  if (error) head.push(`> ${cell(`${error.code}: ${error.message}`)}`, "");
  const failures = (input.outcome?.apps ?? []).filter((a) => a.status === "failed" || a.status === "rolledBack");
  const failureText = failures.map((f) => failureSection(f)).join("\n\n");
  const budget = GITHUB_TEXT_LIMIT - head.join("\n").length - Math.min(failureText.length, GITHUB_TEXT_LIMIT / 2) - 200;
  const summary = [head.join("\n"), appTable(input, budget), "", truncate(failureText, GITHUB_TEXT_LIMIT / 2)]
    .join("\n")
    .trimEnd();
  const text = input.planned ? truncate(input.planned.markdown, GITHUB_TEXT_LIMIT) : undefined;
  return { title, summary: truncate(summary, GITHUB_TEXT_LIMIT), ...(text ? { text } : {}), annotations: [] };
}

function titleOf(input: CheckOutputInput): string {
  const changes = changedApps(input);
  const apps = (n: number) => `${n} ${n === 1 ? "app" : "apps"}`;
  if (input.phase === "started") return "Planning";
  if (input.phase === "planned") return changes.length > 0 ? `Rolling ${apps(changes.length)}` : "No changes";
  const outcome = input.outcome;
  if (!outcome) return "Finished";
  if (outcome.declined) return "Plan not approved; nothing applied";
  const failed = outcome.apps.filter((a) => a.status === "failed" || a.status === "rolledBack");
  if (failed.length > 0) return `${failed.map((f) => f.app).join(", ")} failed`.slice(0, 200);
  if (outcome.status === "failed") return "Sync failed";
  return outcome.status === "noop"
    ? "No changes"
    : `Deployed ${apps(outcome.apps.filter((a) => a.status === "succeeded").length)}`;
}

function changedApps(input: CheckOutputInput): AppChange[] {
  return (input.planned?.plan.changes ?? []).filter((c) => c.kind !== "unchanged" || c.error !== undefined);
}

function rowOrder(change: AppChange, outcome: AppOutcome | undefined): number {
  if (outcome && (outcome.status === "failed" || outcome.status === "rolledBack")) return 0;
  if (change.error !== undefined) return 0;
  return change.kind === "unchanged" ? 2 : 1;
}

function appTable(input: CheckOutputInput, budget: number): string {
  const changes = (input.planned?.plan.changes ?? []).filter((c) => c.env === input.env);
  if (changes.length === 0) return input.phase === "started" ? "Reading the deploy repo and observing the hosts." : "";
  const outcomes = new Map((input.outcome?.apps ?? []).map((a) => [a.app, a]));
  const sorted = [...changes].sort(
    (a, b) => rowOrder(a, outcomes.get(a.app)) - rowOrder(b, outcomes.get(b.app)) || a.app.localeCompare(b.app),
  );
  const header =
    "| app | change | result | replicas | hosts | image | duration | hostnames |\n|---|---|---|---|---|---|---|---|";
  const rows = sorted.map((c) => appRow(c, outcomes.get(c.app), input));
  return `${header}\n${fitParts(rows, budget - header.length - 1, (n) => `\n…and ${n} more ${n === 1 ? "app" : "apps"}, not shown here (see \`dockhand status\`).`)}`;
}

function appRow(change: AppChange, outcome: AppOutcome | undefined, input: CheckOutputInput): string {
  const spec = change.spec;
  const hosts = [...new Set(change.slots.filter((s) => s.action !== "remove").map((s) => s.host))].sort();
  const scheme = input.scheme ?? "https";
  // Link text is never autolinked or mentioned in, so it needs markup escaped only.
  const links = (spec?.hostnames ?? []).map((h) => `[${escapeMarkdown(h)}](${scheme}://${linkTarget(h)})`).join(", ");
  const result = change.error !== undefined ? ":warning: cannot be planned" : resultWord(change, outcome, input.phase);
  const cells = [
    cell(change.app),
    change.kind,
    result,
    spec ? String(spec.replicas) : "0",
    cell(hosts.join(", ")),
    spec ? codeCell(spec.image) : "",
    outcome && outcome.status !== "noop" ? formatDuration(outcome.durationMs) : "",
    links,
  ];
  return `| ${cells.join(" | ")} |`;
}

/** A host name as a link destination: percent-encoded, parentheses too (they would end the destination). */
function linkTarget(hostname: string): string {
  return encodeURI(hostname).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function resultWord(change: AppChange, outcome: AppOutcome | undefined, phase: SyncPhase): string {
  if (outcome) return RESULT_WORDS[outcome.status];
  if (change.kind === "unchanged") return "unchanged";
  return phase === "finished" ? "skipped" : ":hourglass: pending";
}

function failureSection(app: AppOutcome): string {
  const lines = [`#### ${cell(app.app)}: ${RESULT_WORDS[app.status]} at ${code(app.failedStep ?? "unknown step")}`, ""];
  if (app.error) lines.push(`> ${cell(`${app.error.code}: ${app.error.message}`)}`);
  if (app.error?.logsTail) {
    lines.push("", "Last log lines:", "", fenced(tail(app.error.logsTail, LOG_LINES, LOG_CHARS)));
  }
  if (app.error?.healthLog) {
    lines.push("", "Health checks:", "", fenced(tail(app.error.healthLog, LOG_LINES / 2, LOG_CHARS / 2)));
  }
  return lines.join("\n");
}

/** A deploy repo that does not validate at `sha`: every problem in code (copyable, linking nothing), and annotations. */
export function configErrorOutput(sha: string, issues: ConfigIssue[]): CheckOutput {
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  const head = [
    `**The deploy repo at ${code(shortSha(sha))} is invalid (${count}).** Nothing was applied: the last good state keeps running.`,
    "",
  ].join("\n");
  const list = fitParts(
    issues.map((i) => `- ${code(formatConfigIssue(i))}`),
    GITHUB_TEXT_LIMIT - head.length - 10,
    (n) => `- …and ${n} more (run \`dockhand validate\`)`,
  );
  return { title: `Invalid deploy repo (${count})`, summary: `${head}\n${list}`, annotations: annotationsOf(issues) };
}

export function annotationsOf(issues: ConfigIssue[]): CheckAnnotation[] {
  return issues.slice(0, MAX_ANNOTATIONS).map((issue) => ({
    path: issue.file,
    start_line: Math.max(1, issue.line),
    end_line: Math.max(1, issue.line),
    ...(issue.column > 0 ? { start_column: issue.column, end_column: issue.column } : {}),
    annotation_level: "failure",
    // Plain text, not markdown; broken like the rest in case GitHub ever links in it.
    title: unlinked(issue.path || issue.file),
    message: unlinked(issue.message),
  }));
}
