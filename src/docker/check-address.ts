/**
 * Does `address` reach this host's published ports from here? Start a tiny
 * web server the way a rollout starts an app (runContainer: same port
 * publishing), fetch a random token through `address`, remove the container.
 * The token tells our container from anything else answering there.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { StartedContainer } from "../model/index.js";
import { checkContainerName, checkLabels } from "./check-containers.js";
import type { Engine } from "./connect-engine.js";
import { inspectContainer, removeContainer } from "./container-ops.js";
import { DOCKER_DEFAULTS } from "./docker-defaults.js";
import { type CheckResult, fail, pass } from "./host-check.js";
import { runContainer } from "./run-container.js";

const PORT = 8080;

type Answer = { ok: true; body: string; status: number } | { ok: false; problem: string };

function causeOf(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

async function getOnce(url: string, signal: AbortSignal): Promise<Answer> {
  try {
    const res = await fetch(url, { signal, redirect: "manual" });
    return { ok: true, status: res.status, body: (await res.text()).trim() };
  } catch (err) {
    return { ok: false, problem: signal.aborted ? "no answer before the check's timeout" : causeOf(err) };
  }
}

/** Retries while the container's server starts (a published port may refuse or close until it listens). */
async function fetchUntilAnswered(url: string, signal: AbortSignal): Promise<Answer> {
  const settleUntil = performance.now() + DOCKER_DEFAULTS.addressSettleMs;
  for (;;) {
    const answer = await getOnce(url, signal);
    if (answer.ok || signal.aborted || performance.now() >= settleUntil) return answer;
    await sleep(DOCKER_DEFAULTS.healthPollMs, undefined, { signal }).catch(() => undefined);
  }
}

/** An IPv6 literal needs brackets in a URL. */
function urlHost(address: string): string {
  return address.includes(":") && !address.startsWith("[") ? `[${address}]` : address;
}

function judge(engine: Engine, url: string, answer: Answer, token: string, publishedOn: string): CheckResult {
  const { name, address } = engine.host;
  if (answer.ok && answer.body === token) return pass("address", `${address} reaches a published port (GET ${url})`);
  if (answer.ok) {
    return fail(
      "address",
      `GET ${url} answered ${answer.status}, but not from the check container`,
      `${address} reaches another machine or service: set hosts.${name}.address to this host's address`,
    );
  }
  const where = publishedOn.startsWith("0.0.0.0") ? `every interface (${publishedOn})` : publishedOn;
  return fail(
    "address",
    `GET ${url} failed: ${answer.problem}; the engine published the port on ${where}`,
    `set hosts.${name}.address to an address of this host that this machine reaches on bindAddress's interface (${engine.host.bind}), and let this machine through the host's firewall to its published ports (usually 32768-60999/tcp)`,
  );
}

/** A rollout would fail the same way; the one cause dockhand's own config decides gets its own words. */
function startFix(engine: Engine, why: string): string {
  const { name, bind } = engine.host;
  if (/cannot assign requested address/i.test(why)) {
    return `${bind} is not an address of this host: set hosts.${name}.bindAddress (else address) to one of its IPs`;
  }
  return "a rollout would fail the same way on this host: fix what the engine's message names";
}

export async function checkAddress(
  engine: Engine,
  instance: string,
  image: string,
  signal: AbortSignal,
): Promise<{ result: CheckResult; url?: string }> {
  const token = randomBytes(12).toString("hex");
  let started: StartedContainer;
  try {
    started = await runContainer(engine, {
      name: checkContainerName("address"),
      image,
      port: PORT,
      environment: {},
      labels: checkLabels(instance, "address"),
      command: [
        "sh",
        "-c",
        `mkdir -p /tmp/www && echo ${token} > /tmp/www/index.html && exec httpd -f -p ${PORT} -h /tmp/www`,
      ],
      stopTimeoutSeconds: 0,
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { result: fail("address", `could not start the check container: ${why}`, startFix(engine, why)) };
  }
  try {
    const url = `http://${urlHost(engine.host.address)}:${started.hostPort}/`;
    const answer = await fetchUntilAnswered(url, signal);
    const binding = (await inspectContainer(engine, started.id)).NetworkSettings?.Ports?.[`${PORT}/tcp`]?.[0];
    const publishedOn = `${binding?.HostIp || "0.0.0.0"}:${started.hostPort}`;
    return { result: judge(engine, url, answer, token, publishedOn), url };
  } finally {
    await removeContainer(engine, started.id).catch(() => undefined);
  }
}
