/** The dashboard's deploys: the ones running now, step by step, and the recent ones with their outcome. */
import type { CurrentDeploy, DeployActor, DeployRecord, DeployStepRecord } from "../model/index.js";
import { formatDuration, formatTime, lastLines, shortSha } from "./format.js";
import { html, type SafeHtml } from "./html.js";
import { outcomeClass } from "./render-apps.js";
import type { StatusSnapshot } from "./status-types.js";

/** Steps shown of a running deploy: the latest ones matter. */
const STEPS_SHOWN = 12;
/** Log lines of a failed step shown inline; the full tail is in the deploy record. */
const TAIL_LINES = 20;

export function renderDeploys(status: StatusSnapshot): SafeHtml {
  const { current, recent } = status.deploys;
  return html`<section id="deploys"><h2>Deploys</h2>
<div id="current-deploys">${
    current.length === 0 ? html`<p class="empty">No deploy is running.</p>` : current.map(renderCurrent)
  }</div>
<h3>Recent</h3>
${
  recent.length === 0
    ? html`<p class="empty" id="recent-deploys">No deploys recorded yet.</p>`
    : html`<table id="recent-deploys"><thead><tr><th>finished</th><th>env</th><th>commit</th><th>by</th><th>outcome</th><th>took</th><th>apps</th></tr></thead>
<tbody>${recent.map(renderRecent)}</tbody></table>`
}</section>`;
}

export function describeActor(actor: DeployActor): string {
  if (actor.trigger === "push") return actor.delivery ? `push (delivery ${actor.delivery.slice(0, 8)})` : "push";
  if (actor.trigger === "cli") return actor.user ? `cli (${actor.user})` : "cli";
  return actor.trigger;
}

function renderCurrent(run: CurrentDeploy): SafeHtml {
  const steps = latestSteps(run.steps);
  return html`<div class="current" data-deploy="${run.id}">
<p><span class="badge warn">running</span> ${run.env} at <code>${shortSha(run.sha)}</code> · ${describeActor(run.actor)} · since ${formatTime(
    run.startedAt,
  )}${run.changing?.length ? ` · changing ${run.changing.join(", ")}` : ""}</p>
<ol class="steps">${steps.map(renderStep)}</ol></div>`;
}

/** Each step's latest phase, in the order they started. */
function latestSteps(steps: DeployStepRecord[]): DeployStepRecord[] {
  const byStep = new Map<string, DeployStepRecord>();
  for (const step of steps) byStep.set(`${step.app}/${step.env} ${step.step}`, step);
  return [...byStep.values()].slice(-STEPS_SHOWN);
}

function renderStep(step: DeployStepRecord): SafeHtml {
  const mark = step.phase === "done" ? "✓" : step.phase === "failed" ? "✗" : "…";
  const took = step.durationMs === undefined ? "" : ` (${formatDuration(step.durationMs)})`;
  return html`<li class="${step.phase}">${mark} ${step.app}: ${step.step}${took}</li>`;
}

function renderRecent(record: DeployRecord): SafeHtml {
  const changed = record.outcome.apps.filter((a) => a.status !== "noop");
  return html`<tr data-deploy="${record.id}" data-status="${record.status}">
<td>${formatTime(record.finishedAt)}</td><td>${record.env}</td><td><code>${shortSha(record.sha)}</code></td>
<td>${describeActor(record.actor)}</td>
<td><span class="badge ${outcomeClass(record.status)}">${record.status}</span></td>
<td>${formatDuration(record.durationMs)}</td>
<td>${changed.map(
    (a) =>
      html`<div><strong>${a.app}</strong> <span class="badge ${outcomeClass(a.status)}">${a.status}</span> ${formatDuration(
        a.durationMs,
      )}${
        a.error
          ? html`<details><summary>${a.failedStep ?? "plan"} failed: ${a.error.message}</summary>${
              a.error.logsTail ? html`<pre class="tail">${lastLines(a.error.logsTail, TAIL_LINES)}</pre>` : ""
            }</details>`
          : ""
      }</div>`,
  )}${record.outcome.error ? html`<details><summary>${record.outcome.error.message.split("\n")[0]}</summary><pre class="tail">${record.outcome.error.message}</pre></details>` : ""}</td>
</tr>`;
}
