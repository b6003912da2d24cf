/**
 * How `dockhand apply` shows its progress: on a terminal, a live line of the
 * steps running now (with their time so far) under the finished ones; in CI
 * (no TTY), one plain line per finished step; with --json, one JSON event per
 * line (plan, step, outcome) for programs. A summary ends the first two.
 */

import { formatDuration } from "../http/index.js";
import type { DeployOutcome, Plan } from "../model/index.js";
import { planToJson } from "../planner/index.js";
import type { StepEvent } from "../worker/rollout/rollout-context.js";

export type ProgressMode = "tty" | "plain" | "json";

export interface Progress {
  plan(plan: Plan): void;
  step(event: StepEvent): void;
  /** Ends the live line; prints the summary (text modes) or the outcome event (json). */
  done(outcome: DeployOutcome | undefined, elapsedMs: number): void;
}

interface Writer {
  write(text: string): unknown;
}

const REDRAW_MS = 100;

export function createProgress(mode: ProgressMode, stream: Writer, color: boolean): Progress {
  if (mode === "json") return jsonProgress(stream);
  return textProgress(mode === "tty", stream, color);
}

function jsonProgress(stream: Writer): Progress {
  const emit = (event: Record<string, unknown>) => stream.write(`${JSON.stringify({ at: Date.now(), ...event })}\n`);
  return {
    plan: (plan) => emit({ event: "plan", plan: planToJson(plan) }),
    step: (e) => emit({ event: "step", ...e }),
    done: (outcome, elapsedMs) =>
      emit({ event: "outcome", durationMs: elapsedMs, ...(outcome ?? { status: "failed" }) }),
  };
}

function textProgress(live: boolean, stream: Writer, color: boolean): Progress {
  const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const running = new Map<string, { event: StepEvent; began: number }>();
  let timer: NodeJS.Timeout | undefined;
  let drawn = false;
  const clear = () => {
    if (drawn) stream.write("\r\x1b[2K");
    drawn = false;
  };
  const draw = () => {
    clear();
    if (running.size === 0) return;
    const now = Date.now();
    const parts = [...running.values()].map(
      ({ event, began }) => `${event.app} ${event.step} ${formatDuration(now - began)}`,
    );
    const width = (process.stdout.columns ?? 100) - 4;
    const text = `  … ${parts.join(" · ")}`;
    stream.write(paint(2, text.length > width ? `${text.slice(0, width - 1)}…` : text));
    drawn = true;
  };
  return {
    plan: () => {},
    step(event) {
      const key = `${event.app}/${event.env} ${event.step}`;
      if (event.phase === "start") {
        running.set(key, { event, began: Date.now() });
        if (live && !timer) timer = setInterval(draw, REDRAW_MS);
        return;
      }
      running.delete(key);
      if (live) clear();
      const mark = event.phase === "done" ? paint(32, "✓") : paint(31, "✗");
      stream.write(`  ${mark} ${event.app}/${event.env}  ${event.step}  (${formatDuration(event.durationMs ?? 0)})\n`);
      if (live) draw();
    },
    done(outcome, elapsedMs) {
      if (timer) clearInterval(timer);
      if (live) clear();
      if (outcome && !outcome.declined) stream.write(`${summary(outcome, elapsedMs)}\n`);
    },
  };
}

/** `Deploy succeeded at 1a2b3c4d5e6f in 9.4 s: api succeeded (4.8 s), web succeeded (7.2 s).` */
export function summary(outcome: DeployOutcome, elapsedMs: number): string {
  const sha = /^[0-9a-f]{40,64}$/.test(outcome.sha) ? outcome.sha.slice(0, 12) : outcome.sha;
  const changed = outcome.apps.filter((a) => a.status !== "noop");
  const apps = changed.map((a) => `${a.app} ${a.status} (${formatDuration(a.durationMs)})`).join(", ");
  const tail = changed.length === 0 ? "nothing to change" : apps;
  return `Deploy ${outcome.status} at ${sha} in ${formatDuration(elapsedMs)}: ${tail}.`;
}
