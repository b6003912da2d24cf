/** The dashboard's apps × hosts grid: one row per app, one column per host, each slot's container in its cell. */
import { shortSha } from "./format.js";
import { html, type SafeHtml } from "./html.js";
import type { AppStatus, EnvironmentStatus, HostStatus, SlotStatus, StatusSnapshot } from "./status-types.js";

export function renderApps(status: StatusSnapshot): SafeHtml {
  if (status.environments.length === 0) {
    return html`<section id="apps"><h2>Apps</h2><p class="empty">No apps: the deploy repo declares none and no managed container runs.</p></section>`;
  }
  return html`<section id="apps"><h2>Apps</h2>${status.environments.map((env) => renderEnv(env, status.hosts))}</section>`;
}

function renderEnv(env: EnvironmentStatus, hosts: HostStatus[]): SafeHtml {
  return html`<h3>${env.env}</h3>
<table class="grid" data-env="${env.env}">
<thead><tr><th>app</th><th>replicas</th><th>last deploy</th>${hosts.map(
    (h) =>
      html`<th data-host="${h.name}">${h.name}${h.reachable ? "" : html` <span class="badge bad">unreachable</span>`}</th>`,
  )}</tr></thead>
<tbody>${env.apps.map((app) => renderApp(app, hosts))}</tbody>
</table>`;
}

function renderApp(app: AppStatus, hosts: HostStatus[]): SafeHtml {
  const desired = app.desiredReplicas === undefined ? "?" : String(app.desiredReplicas);
  return html`<tr data-app="${app.app}" data-health="${app.health}">
<td><strong>${app.app}</strong> <span class="badge ${healthClass(app.health)}">${app.health}</span>${
    app.hold ? html` <span class="badge warn" title="${app.hold.reason ?? ""}">held</span>` : ""
  }${serves(app)}</td>
<td class="num">${app.runningReplicas}/${desired}${
    app.stoppedContainers ? html`<div class="muted">${app.stoppedContainers} stopped</div>` : ""
  }</td>
<td>${renderLast(app)}</td>
${hosts.map((h) => html`<td>${app.slots.filter((s) => s.host === h.name).map(renderSlot)}</td>`)}
</tr>`;
}

/** Hostnames for a web app; where an app on a fixed host port listens; a worker serves nothing. */
function serves(app: AppStatus): SafeHtml | string {
  if (app.role === "worker") return html`<div class="muted" data-role="worker">worker · no port</div>`;
  if (app.role === "fixed") {
    const where = app.endpoints?.length ? app.endpoints.join(", ") : "no slot running";
    return html`<div class="muted" data-role="fixed">listens on ${where}</div>`;
  }
  return app.hostnames.length ? html`<div class="muted">${app.hostnames.join(", ")}</div>` : "";
}

function renderLast(app: AppStatus): SafeHtml | string {
  const last = app.lastOutcome;
  if (!last) return html`<span class="muted">-</span>`;
  return html`<span class="badge ${outcomeClass(last.status)}">${last.status}</span> <code>${shortSha(last.sha)}</code>${
    last.failedStep ? html`<div class="muted">at ${last.failedStep}</div>` : ""
  }`;
}

function renderSlot(slot: SlotStatus): SafeHtml {
  const health = slot.health === "none" ? slot.state : slot.health;
  return html`<div class="slot${slot.current ? "" : " old"}" data-slot="${slot.slot}" data-container="${slot.container}">
<span class="badge ${healthClass(health)}">${health}</span> <span>#${slot.slot}</span> <code class="commit">${shortSha(
    slot.commit,
  )}</code><div class="muted small">${slot.container}${slot.hostPort ? ` :${slot.hostPort}` : ""}</div></div>`;
}

export function healthClass(health: string): string {
  if (health === "healthy" || health === "running") return "ok";
  if (health === "degraded" || health === "starting" || health === "unknown") return "warn";
  return "bad";
}

export function outcomeClass(status: string): string {
  if (status === "succeeded" || status === "noop") return "ok";
  if (status === "rolledBack") return "warn";
  return "bad";
}
