/**
 * The dashboard page, rendered on the server. The page holds a <main> whose
 * content the server re-renders and pushes over server-sent events whenever
 * it changes; the page's only script swaps it in. No front-end build.
 */

import { DASHBOARD_CSS } from "./dashboard-css.js";
import { formatTime, shortSha } from "./format.js";
import { html, raw, type SafeHtml } from "./html.js";
import { renderApps } from "./render-apps.js";
import { renderDeploys } from "./render-deploys.js";
import type { StatusSnapshot } from "./status-types.js";

/** The live part of the page: everything inside <main>. */
export function renderDashboardBody(status: StatusSnapshot): SafeHtml {
  return html`${renderSummary(status)}
${renderApps(status)}
${renderDeploys(status)}
<div class="columns">${renderQueue(status)}${renderHolds(status)}</div>
${renderConfigErrors(status)}
${renderPreviews(status)}`;
}

/**
 * The whole page. `session`: the viewer's login session, whose CSRF token the
 * page carries for requests that change state (a script reads the meta tag;
 * the log-out form sends it as a field).
 */
export function renderDashboardPage(status: StatusSnapshot, eventsPath: string, session?: { csrf: string }): SafeHtml {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${session ? html`<meta name="csrf-token" content="${session.csrf}">` : ""}
<title>dockhand · ${status.instance}</title><style>${raw(DASHBOARD_CSS)}</style></head>
<body><header><h1>dockhand</h1><span id="live-state" class="badge warn">connecting</span>${
    session
      ? html`<form id="logout" method="post" action="/logout"><input type="hidden" name="csrf" value="${session.csrf}"><button type="submit">Log out</button></form>`
      : ""
  }</header>
<main id="live">${renderDashboardBody(status)}</main>
<script>${raw(liveScript(eventsPath))}</script></body></html>`;
}

/** Swaps <main> for each `render` event; EventSource reconnects by itself after a drop. */
function liveScript(eventsPath: string): string {
  return `(() => {
  const state = document.getElementById("live-state");
  const events = new EventSource(${JSON.stringify(eventsPath)});
  events.addEventListener("render", (e) => {
    document.getElementById("live").innerHTML = e.data;
    document.body.dataset.renders = String(Number(document.body.dataset.renders || 0) + 1);
  });
  events.onopen = () => { state.textContent = "live"; state.className = "badge ok"; };
  events.onerror = () => { state.textContent = "reconnecting"; state.className = "badge warn"; };
})();`;
}

function renderSummary(status: StatusSnapshot): SafeHtml {
  return html`<section id="summary">
<p>instance <strong>${status.instance}</strong>${
    status.source ? html` · deploy repo ${status.source.repo} at <code>${shortSha(status.source.sha)}</code>` : ""
  }</p>
${status.desiredError ? html`<p class="problem">desired state unknown: ${status.desiredError}</p>` : ""}
${status.history.available ? "" : html`<p class="problem">deploy history unavailable: ${status.history.reason ?? ""}</p>`}
<p>${status.hosts.map(
    (h) =>
      html`<span class="badge ${h.reachable ? "ok" : "bad"}" data-host-state="${h.name}" title="${h.error ?? ""}">${h.name}: ${
        h.reachable ? `${h.running} running` : "unreachable"
      }</span> `,
  )}</p></section>`;
}

function renderQueue(status: StatusSnapshot): SafeHtml {
  const queue = status.queue;
  if (!queue) return html`<section id="queue"><h2>Queue</h2><p class="empty">Queue not available.</p></section>`;
  const job = (j: (typeof queue.running)[number]) =>
    html`<li>${j.env} · ${j.trigger}${j.sha ? html` · <code>${shortSha(j.sha)}</code>` : ""} · queued ${formatTime(j.enqueuedAt)}</li>`;
  return html`<section id="queue"><h2>Queue</h2>
<p>${queue.counts.active} running, ${queue.counts.waiting + queue.counts.delayed} pending, ${queue.counts.failed} failed (kept 24 h)</p>
${queue.running.length ? html`<h4>Running</h4><ul>${queue.running.map(job)}</ul>` : ""}
${queue.pending.length ? html`<h4>Pending</h4><ul>${queue.pending.map(job)}</ul>` : ""}</section>`;
}

function renderHolds(status: StatusSnapshot): SafeHtml {
  return html`<section id="holds"><h2>Holds</h2>${
    status.holds.length === 0
      ? html`<p class="empty">No app is held.</p>`
      : html`<ul>${status.holds.map(
          (h) =>
            html`<li><strong>${h.env}/${h.app}</strong>${h.at ? html` at <code>${shortSha(h.at)}</code>` : ""}${
              h.by ? ` by ${h.by}` : ""
            }${h.since ? ` since ${formatTime(h.since)}` : ""}${h.reason ? `: ${h.reason}` : ""}</li>`,
        )}</ul>`
  }</section>`;
}

function renderConfigErrors(status: StatusSnapshot): SafeHtml {
  return html`<section id="config-errors"><h2>Config errors of the last sync</h2>${
    status.configErrors.length === 0
      ? html`<p class="empty">None: the last sync's deploy repo validated.</p>`
      : status.configErrors.map(
          (c) =>
            html`<p>${c.env} at <code>${shortSha(c.sha)}</code>: nothing applied, the last good state keeps running.</p>
<ul class="issues">${c.issues.map(
              (i) =>
                html`<li><code>${i.file}:${i.line}:${i.column}</code> ${i.path ? html`<code>${i.path}</code>: ` : ""}${i.message}</li>`,
            )}</ul>`,
        )
  }</section>`;
}

function renderPreviews(status: StatusSnapshot): SafeHtml {
  return html`<section id="previews"><h2>Previews</h2>${
    status.previews.length === 0
      ? html`<p class="empty">none</p>`
      : html`<ul>${status.previews.map(
          (p) =>
            html`<li>${p.env}: ${p.urls.map((u) => html`<a href="${u}">${u}</a> `)}${
              p.expiresAt ? ` expires ${formatTime(p.expiresAt)}` : ""
            }</li>`,
        )}</ul>`
  }</section>`;
}
