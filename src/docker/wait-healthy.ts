/**
 * Wait until a new container is healthy (docs/rollouts.md): the image's
 * HEALTHCHECK when it has one, else an HTTP GET of `health.path`, else a TCP
 * connect; a container without a port (a worker) only has to run. Polls fast,
 * fails as soon as the container dies, and attaches the container's last log
 * lines to the failure.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type Docker from "dockerode";
import type { HealthSpec } from "../model/index.js";
import type { Engine } from "./connect-engine.js";
import { deathOf, healthFailure } from "./container-failure.js";
import { inspectContainer, publishedHostPort } from "./container-ops.js";
import { DOCKER_DEFAULTS } from "./docker-defaults.js";
import { type ProbeResult, probeHttp, probeTcp } from "./probe-endpoint.js";

type Check = { kind: "healthcheck" } | { kind: "http"; path: string } | { kind: "tcp" } | { kind: "running" };

/** A probe result that also says whether waiting longer could help. */
type Verdict = ProbeResult | { ok: false; problem: string; final: true };

function chooseCheck(info: Docker.ContainerInspectInfo, health: HealthSpec, port: number | undefined): Check {
  const test = info.Config.Healthcheck?.Test;
  const hasHealthcheck =
    info.State.Health !== undefined || (test !== undefined && test.length > 0 && test[0] !== "NONE");
  if (hasHealthcheck) return { kind: "healthcheck" };
  // Nothing to probe: running (deathOf says otherwise) is the check, and `health.stable` its proof.
  if (port === undefined) return { kind: "running" };
  return health.path ? { kind: "http", path: health.path } : { kind: "tcp" };
}

function healthcheckVerdict(info: Docker.ContainerInspectInfo): Verdict {
  const health = info.State.Health;
  const last = health?.Log?.at(-1);
  const output = last ? `; last check exited ${last.ExitCode}: ${last.Output.trim() || "(no output)"}` : "";
  if (health?.Status === "healthy") return { ok: true };
  if (health?.Status === "unhealthy")
    return { ok: false, problem: `its HEALTHCHECK reports unhealthy${output}`, final: true };
  return { ok: false, problem: `its HEALTHCHECK has not passed yet${output}` };
}

async function runCheck(
  engine: Engine,
  check: Check,
  info: Docker.ContainerInspectInfo,
  port: number | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Verdict> {
  if (check.kind === "healthcheck") return healthcheckVerdict(info);
  if (check.kind === "running" || port === undefined) return { ok: true };
  const hostPort = publishedHostPort(info, port);
  if (hostPort === undefined) return { ok: false, problem: `port ${port}/tcp is not published` };
  const address = engine.host.address;
  return check.kind === "http"
    ? probeHttp(address, hostPort, check.path, timeoutMs, signal)
    : probeTcp(address, hostPort, timeoutMs, signal);
}

function describe(check: Check): string {
  if (check.kind === "healthcheck") return "its HEALTHCHECK";
  if (check.kind === "running") return "running (it has no port to probe)";
  return check.kind === "http" ? `GET ${check.path}` : "a TCP connect";
}

/** Sleep; an abort rejects with the signal's own reason, as `throwIfAborted` does. */
async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (err) {
    throw signal?.aborted ? signal.reason : err;
  }
}

/** The last results of dockhand's own probes, for the failure's health log (repeats folded). */
class ProbeLog {
  private readonly lines: string[] = [];
  private last = "";
  private repeats = 0;

  add(verdict: Verdict): void {
    const text = verdict.ok ? "passed" : verdict.problem;
    if (text === this.last) {
      this.repeats++;
      return;
    }
    this.flush();
    this.last = text;
    this.lines.push(`${new Date().toISOString()} ${text}`);
    if (this.lines.length > DOCKER_DEFAULTS.healthLogEntries) this.lines.shift();
  }

  text(): string {
    this.flush();
    return this.lines.join("\n");
  }

  private flush(): void {
    if (this.repeats > 0 && this.lines.length > 0) this.lines[this.lines.length - 1] += ` (${this.repeats + 1} times)`;
    this.repeats = 0;
  }
}

export async function waitHealthy(
  engine: Engine,
  id: string,
  port: number | undefined,
  health: HealthSpec,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + health.withinMs;
  const probes = new ProbeLog();
  let info = await inspectContainer(engine, id);
  const check = chooseCheck(info, health, port);
  for (;;) {
    signal?.throwIfAborted();
    const death = deathOf(info);
    if (death !== undefined) throw await healthFailure(engine, info, death, "waitHealthy", probes.text());
    // Near the deadline a probe still gets a fair chance, or its "no answer" would hide the real problem.
    const probeMs = Math.min(health.timeoutMs, Math.max(deadline - Date.now(), DOCKER_DEFAULTS.minProbeMs));
    const verdict = await runCheck(engine, check, info, port, probeMs, signal);
    probes.add(verdict);
    if (verdict.ok) break;
    if ("final" in verdict) throw await healthFailure(engine, info, verdict.problem, "waitHealthy", probes.text());
    signal?.throwIfAborted();
    if (Date.now() >= deadline) {
      const why = `${describe(check)} did not pass within ${health.withinMs} ms; last: ${verdict.problem}`;
      throw await healthFailure(engine, info, why, "waitHealthy", probes.text());
    }
    await pause(Math.min(DOCKER_DEFAULTS.healthPollMs, Math.max(0, deadline - Date.now())), signal);
    info = await inspectContainer(engine, id);
  }
  await stayUp(engine, id, info, { check, stableMs: health.stableMs ?? 0, probes }, signal);
}

/** Why a container that passed its check is no longer up: it died, restarted or turned unhealthy. */
function downSince(passed: Docker.ContainerInspectInfo, now: Docker.ContainerInspectInfo): string | undefined {
  const death = deathOf(now);
  if (death !== undefined) return death;
  if (now.RestartCount !== passed.RestartCount || now.State.StartedAt !== passed.State.StartedAt) {
    // Once it runs again the engine has reset ExitCode to 0: the code it died with is only in its log then.
    return now.State.Running || now.State.ExitCode === 0
      ? "it restarted (it exited and the engine started it again)"
      : `it restarted (exit code ${now.State.ExitCode})`;
  }
  return now.State.Health?.Status === "unhealthy" ? "its HEALTHCHECK reports unhealthy" : undefined;
}

/**
 * After passing, the container must stay up for `health.stable`: an app that
 * answers once and then crashes (a bad config read lazily, a failed
 * migration) fails the rollout here, before any traffic moves to it.
 */
async function stayUp(
  engine: Engine,
  id: string,
  passed: Docker.ContainerInspectInfo,
  window: { check: Check; stableMs: number; probes: ProbeLog },
  signal?: AbortSignal,
): Promise<void> {
  const until = Date.now() + window.stableMs;
  while (Date.now() < until) {
    await pause(Math.min(DOCKER_DEFAULTS.healthPollMs, Math.max(0, until - Date.now())), signal);
    const info = await inspectContainer(engine, id);
    const down = downSince(passed, info);
    if (down !== undefined) {
      const passed = window.check.kind === "running" ? "starting" : `passing ${describe(window.check)}`;
      const why = `${down} within ${window.stableMs} ms of ${passed} (health.stable)`;
      throw await healthFailure(engine, info, why, "waitHealthy", window.probes.text());
    }
  }
}
