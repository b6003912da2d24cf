import type { Plan } from "../model/index.js";
import { append } from "./compare.js";
import type { PlanRow, RowSymbol } from "./plan-rows.js";
import { appRows } from "./plan-rows.js";
import { formatNoChanges, formatSummary, summarizePlan } from "./plan-summary.js";

export interface RenderTextOptions {
  /** ANSI colours; the CLI passes `process.stdout.isTTY`. */
  color: boolean;
}

const COLORS: Record<RowSymbol | "warning" | "bold", string> = {
  "+": "32",
  "~": "33",
  "-": "31",
  "→": "36",
  "!": "1;31",
  warning: "33",
  bold: "1",
};

/**
 * The plan for a terminal: one aligned line per slot that changes, with app,
 * env, slot, host and why; unchanged apps only in the summary line.
 */
export function renderPlanText(plan: Plan, options: RenderTextOptions): string {
  const paint = (code: keyof typeof COLORS, text: string) =>
    options.color ? `\x1b[${COLORS[code]}m${text}\x1b[0m` : text;
  const lines = [`Plan for ${plan.source.repo} at ${shortSha(plan.source.sha)}`, ""];
  const rows = plan.changes.flatMap(appRows);
  if (rows.length > 0) {
    append(lines, layout(rows, paint));
    lines.push("");
  }
  if (plan.warnings.length > 0) {
    lines.push("Warnings:");
    append(
      lines,
      plan.warnings.map((w) => `  ${paint("warning", `! ${w}`)}`),
    );
    lines.push("");
  }
  const summary = summarizePlan(plan);
  const noChange = summary.appsChanged + summary.errors === 0;
  lines.push(paint("bold", noChange ? formatNoChanges(summary.appsUnchanged) : formatSummary(summary)));
  return `${lines.join("\n")}\n`;
}

function layout(rows: readonly PlanRow[], paint: (code: RowSymbol, text: string) => string): string[] {
  const columns = ["action", "app", "env", "slot", "host"] as const;
  // No Math.max(...spread): a plan of 10,000 apps has more rows than a call may take arguments.
  const widths = columns.map((c) => rows.reduce((w, r) => Math.max(w, r[c].length), 0));
  return rows.map((row) => {
    const cells = columns.map((c, i) => row[c].padEnd(widths[i] ?? 0));
    const [action, ...rest] = cells;
    const line = `${paint(row.symbol, `${row.symbol} ${action}`)}  ${rest.join("  ")}  ${row.detail}`;
    return `  ${line.trimEnd()}`;
  });
}

/** Full commit hashes are noise in a terminal; anything else (`worktree`) is shown as is. */
export function shortSha(sha: string): string {
  return /^[0-9a-f]{40}$/.test(sha) ? sha.slice(0, 7) : sha;
}
