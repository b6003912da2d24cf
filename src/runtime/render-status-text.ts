/** `dockhand status` as text: a table per environment, then deploys, queue, holds, config errors. */
import {
  type AppStatus,
  describeActor,
  type EnvironmentStatus,
  formatDuration,
  formatTime,
  type StatusSnapshot,
  shortSha,
} from "../http/index.js";

const CODES = { green: 32, yellow: 33, red: 31, dim: 2, bold: 1 } as const;
type Paint = (code: keyof typeof CODES, text: string) => string;

export function renderStatusText(status: StatusSnapshot, options: { color: boolean }): string {
  const paint: Paint = (code, text) => (options.color ? `\x1b[${CODES[code]}m${text}\x1b[0m` : text);
  const lines: string[] = [];
  const repo = status.source ? ` · ${status.source.repo} at ${shortSha(status.source.sha)}` : "";
  lines.push(paint("bold", `dockhand status · instance ${status.instance}${repo}`));
  if (status.desiredError) lines.push(paint("red", `desired state unknown: ${status.desiredError}`));
  lines.push(
    `hosts: ${status.hosts
      .map((h) =>
        h.reachable
          ? `${h.name} ${paint("green", "up")} (${h.running} running)`
          : `${h.name} ${paint("red", "unreachable")}: ${h.error ?? ""}`,
      )
      .join(" · ")}`,
  );
  if (!status.history.available) {
    lines.push(paint("yellow", `deploy history, queue and holds unavailable: ${status.history.reason ?? ""}`));
  }
  for (const env of status.environments) lines.push("", ...renderEnv(env, paint));
  if (status.environments.length === 0) lines.push("", "no apps");
  lines.push("", ...renderRest(status, paint));
  return lines.join("\n");
}

function renderEnv(env: EnvironmentStatus, paint: Paint): string[] {
  const sync = env.lastSync
    ? `last sync ${formatTime(env.lastSync.finishedAt)}: ${env.lastSync.status} at ${shortSha(env.lastSync.sha)}`
    : "no sync recorded";
  const header = ["APP", "REPLICAS", "HEALTH", "HOSTS", "COMMIT", "LAST DEPLOY"];
  const rows = env.apps.map((a) => [
    a.app,
    `${a.runningReplicas}/${a.desiredReplicas ?? "?"}`,
    a.health,
    a.hosts.join(",") || "-",
    a.commits.map(shortSha).join(",") || "-",
    lastDeploy(a),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const pad = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const colour = (row: string[], app: AppStatus) => {
    const text = pad(row);
    const [from, to] = [text.indexOf(app.health, (row[0] ?? "").length), app.health.length];
    return `${text.slice(0, from)}${paint(healthColour(app.health), app.health)}${text.slice(from + to)}`;
  };
  return [
    `${paint("bold", env.env)}  (${sync})`,
    `  ${paint("dim", pad(header))}`,
    ...env.apps.flatMap((a, i) => [
      `  ${colour(rows[i] ?? [], a)}`,
      ...serves(a),
      ...(a.hold ? [`    held${a.hold.at ? ` at ${shortSha(a.hold.at)}` : ""}: ${a.hold.reason ?? ""}`] : []),
      ...(a.lastOutcome?.error
        ? [`    ${paint("red", `${a.lastOutcome.failedStep ?? "plan"} failed: ${a.lastOutcome.error}`)}`]
        : []),
    ]),
  ];
}

/** A line under a worker or an app on a fixed host port: what it serves is no URL. */
function serves(app: AppStatus): string[] {
  if (app.role === "worker") return ["    worker: no port, not routed"];
  if (app.role === "fixed") return [`    listens on ${app.endpoints?.join(", ") || "(no slot running)"} (hostPort)`];
  return [];
}

function lastDeploy(app: AppStatus): string {
  const last = app.lastOutcome;
  if (!last) return "-";
  return `${last.status} in ${formatDuration(last.durationMs)} at ${shortSha(last.sha)}`;
}

function healthColour(health: string): keyof typeof CODES {
  return health === "healthy" ? "green" : health === "down" ? "red" : "yellow";
}

function renderRest(status: StatusSnapshot, paint: Paint): string[] {
  const lines: string[] = [];
  const current = status.deploys.current;
  lines.push(current.length === 0 ? "running deploys: none" : "running deploys:");
  for (const run of current) {
    const last = run.steps.at(-1);
    lines.push(
      `  ${run.env} at ${shortSha(run.sha)} by ${describeActor(run.actor)} since ${formatTime(run.startedAt)}${last ? `: ${last.app} ${last.step}` : ""}`,
    );
  }
  if (status.queue) {
    const q = status.queue.counts;
    lines.push(`queue: ${q.active} running, ${q.waiting + q.delayed} pending, ${q.failed} failed`);
  }
  if (status.history.available) {
    lines.push(status.holds.length === 0 ? "holds: none" : "holds:");
    for (const h of status.holds)
      lines.push(`  ${h.env}/${h.app}${h.at ? ` at ${shortSha(h.at)}` : ""}: ${h.reason ?? ""}`);
  }
  for (const c of status.configErrors) {
    lines.push(paint("red", `config errors of the last ${c.env} sync (at ${shortSha(c.sha)}; nothing applied):`));
    for (const i of c.issues)
      lines.push(`  ${i.file}:${i.line}:${i.column} ${i.path ? `${i.path}: ` : ""}${i.message}`);
  }
  lines.push(status.previews.length === 0 ? "previews: none" : "previews:");
  for (const p of status.previews) {
    const expires = p.expiresAt === undefined ? "" : `  expires ${new Date(p.expiresAt).toISOString()}`;
    lines.push(`  ${p.env}  ${p.urls.join(" ")}${expires}`);
  }
  return lines;
}
