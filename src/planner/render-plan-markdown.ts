import { type AppChange, markdownText, type Plan } from "../model/index.js";
import { append } from "./compare.js";
import { appRows } from "./plan-rows.js";
import { formatNoChanges, formatSummary, summarizePlan } from "./plan-summary.js";
import { shortSha } from "./render-plan-text.js";

export interface RenderMarkdownOptions {
  /**
   * Changed apps shown in detail; the rest are counted. GitHub limits a
   * comment or check-run summary to 65,536 characters. Default 100.
   */
  maxApps?: number;
}

const KIND_WORDS = { create: "create", update: "update", delete: "delete", unchanged: "unchanged" } as const;

/** The plan for a GitHub PR comment or check run: the summary, then one table per changed app. */
export function renderPlanMarkdown(plan: Plan, options: RenderMarkdownOptions = {}): string {
  const maxApps = options.maxApps ?? 100;
  const summary = summarizePlan(plan);
  const noChange = summary.appsChanged + summary.errors === 0;
  const out = [
    `### dockhand plan for \`${code(plan.source.repo)}\` at \`${code(shortSha(plan.source.sha))}\``,
    "",
    `**${noChange ? formatNoChanges(summary.appsUnchanged) : formatSummary(summary)}**`,
    "",
  ];
  const changed = plan.changes.filter((c) => c.kind !== "unchanged" || c.error !== undefined);
  for (const change of changed.slice(0, maxApps)) {
    append(out, appSection(change));
    out.push("");
  }
  if (changed.length > maxApps) {
    out.push(`…and ${changed.length - maxApps} more changed apps, not shown here (see \`dockhand plan --json\`).`, "");
  }
  if (plan.warnings.length > 0) {
    out.push("**Warnings**", "");
    append(
      out,
      plan.warnings.map((w) => `- ${cell(w)}`),
    );
    out.push("");
  }
  return `${out.join("\n").trimEnd()}\n`;
}

function appSection(change: AppChange): string[] {
  const title = `#### ${cell(change.app)} · ${cell(change.env)} · ${change.error !== undefined ? "error" : KIND_WORDS[change.kind]}`;
  if (change.error !== undefined) return [title, "", `> :warning: ${cell(change.error)}`];
  const rows = appRows(change).map(
    (r) => `| ${r.symbol} | ${r.action} | ${r.slot.replace("slot ", "")} | ${cell(r.host)} | ${cell(r.detail)} |`,
  );
  const lines = [title, "", "| | change | slot | host | why |", "|---|---|---|---|---|"];
  append(lines, rows);
  return lines;
}

/** Names, reasons, hook commands and errors come from the deploy repo (a PR head): shown as text, linking nothing. */
const cell = markdownText;

function code(text: string): string {
  return text.replace(/`/g, "'");
}
