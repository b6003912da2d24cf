/** `dockhand hosts check` as text: a line per host and check, each failure or warning followed by its fix. */
import type { CheckResult, CheckStatus, HostCheck } from "../docker/index.js";

const SYMBOLS: Record<CheckStatus, string> = { pass: "✓", warn: "!", fail: "✗", skip: "-" };
const COLOURS: Record<CheckStatus, number> = { pass: 32, warn: 33, fail: 31, skip: 2 };

function verdict(host: HostCheck): string {
  const failed = host.checks.filter((c) => c.status === "fail").map((c) => c.check);
  if (failed.length > 0) return `${host.host} failed (${failed.join(", ")})`;
  const warnings = host.checks.filter((c) => c.status === "warn").length;
  if (warnings === 0) return `${host.host} ok`;
  return `${host.host} ok (${warnings} ${warnings === 1 ? "warning" : "warnings"})`;
}

export function renderHostsCheck(hosts: HostCheck[], options: { color: boolean }): string {
  const paint = (status: CheckStatus, text: string) =>
    options.color ? `\x1b[${COLOURS[status]}m${text}\x1b[0m` : text;
  const hostWidth = Math.max(4, ...hosts.map((h) => h.host.length));
  const checkWidth = Math.max(...hosts.flatMap((h) => h.checks.map((c) => c.check.length)), 5) + 2;
  const indent = " ".repeat(hostWidth + 2 + checkWidth + 2);
  const line = (host: string, check: string, result: string) =>
    `${host.padEnd(hostWidth)}  ${check.padEnd(checkWidth)}  ${result}`.trimEnd();
  const lines = [line("HOST", "CHECK", "RESULT")];
  for (const host of hosts) {
    for (const c of host.checks) lines.push(...checkLines(host.host, c, line, paint, indent));
  }
  const failed = hosts.filter((h) => !h.ok).length;
  const count = hosts.length === 1 ? "1 host" : `${hosts.length} hosts`;
  const head = failed === 0 ? `${count} ok` : `${failed} of ${count} failed`;
  lines.push("", `${head}: ${hosts.map(verdict).join(", ")}`);
  return lines.join("\n");
}

function checkLines(
  host: string,
  c: CheckResult,
  line: (host: string, check: string, result: string) => string,
  paint: (status: CheckStatus, text: string) => string,
  indent: string,
): string[] {
  const symbol = SYMBOLS[c.status];
  // Padding is measured on the plain text; the colour codes go around it.
  const plain = line(host, `${symbol} ${c.check}`, c.detail);
  const shown = plain.replace(`${symbol} ${c.check}`, paint(c.status, `${symbol} ${c.check}`));
  return c.fix ? [shown, `${indent}fix: ${c.fix}`] : [shown];
}
