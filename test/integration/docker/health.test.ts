import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerHosts } from "../../../src/docker/index.js";
import type { HealthSpec } from "../../../src/model/index.js";
import { RolloutError } from "../../../src/model/index.js";
import { testbedHosts, testbedSsh } from "../../support/testbed.js";
import {
  APP_PORT,
  appSpec,
  cleanupRun,
  healthcheckContext,
  newRunId,
  prepareAppImage,
  rawEngines,
} from "./docker-fixtures.js";

const runId = newRunId();
const ssh = testbedSsh();
// beta once more, reached over SSH: health checks work the same whatever the transport.
const betaOverSsh = {
  name: "beta-ssh",
  docker: ssh.endpoint,
  socket: ssh.socket,
  address: "127.0.0.2",
  bind: "127.0.0.2",
  capacity: 50,
  labels: {},
};
const hostSpecs = [...testbedHosts(), betaOverSsh];
const sshEnv = { ...process.env, DOCKHAND_SSH_KEY: ssh.key, DOCKHAND_SSH_KNOWN_HOSTS: ssh.knownHosts };
const hosts = new DockerHosts(hostSpecs, { env: sshEnv });

/** One host observed alone: beta and beta-ssh are one engine, which an observe of both refuses (docs/security.md). */
async function observeOnly(host: string, instance: string) {
  const alone = new DockerHosts(
    hostSpecs.filter((h) => h.name === host),
    { env: sshEnv },
  );
  try {
    return await alone.observe(instance);
  } finally {
    await alone.close();
  }
}
/** The engine under a host name (beta-ssh is beta). */
const engineOf = (host: string) => rawEngines()[host === "alpha" ? "alpha" : "beta"];
let image = "";
let checkedImage = "";

beforeAll(async () => {
  image = await prepareAppImage(hosts, runId);
  checkedImage = `dockhand-test/checked:${runId}`;
  await hosts.build("alpha", checkedImage, healthcheckContext(runId, image), "Dockerfile", () => undefined);
  await hosts.ship(checkedImage, "alpha", "beta");
});

afterAll(async () => {
  await hosts.close();
  await cleanupRun(runId);
});

const http = (path: string, withinMs = 20_000): HealthSpec => ({ path, timeoutMs: 1_000, withinMs });
const tcp = (withinMs = 20_000): HealthSpec => ({ timeoutMs: 1_000, withinMs });

async function rolloutFailure(promise: Promise<unknown>): Promise<RolloutError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof RolloutError)) throw new Error(`expected a RolloutError, got ${String(err)}`);
  return err;
}

describe.each(hostSpecs.map((h) => [h.name, h.address] as const))("waitHealthy on %s", (host, address) => {
  it("waits for the HTTP health path of a slow starter", async () => {
    const started = await hosts.run(host, appSpec(runId, image, { environment: { MODE: "slow", DELAY: "1" } }));
    await hosts.waitHealthy(host, started.id, APP_PORT, http("/healthz"));
    const res = await fetch(`http://${address}:${started.hostPort}/healthz`, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
  });

  it("waits for a TCP listener, not just the engine's port proxy", async () => {
    const started = await hosts.run(host, appSpec(runId, image, { environment: { MODE: "slow", DELAY: "1" } }));
    await hosts.waitHealthy(host, started.id, APP_PORT, tcp());
    // Healthy means the app itself accepts: the very next request must be served.
    const res = await fetch(`http://${address}:${started.hostPort}/index.html`, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
  });

  it("uses the image's HEALTHCHECK when it has one, in preference to the HTTP path", async () => {
    const started = await hosts.run(host, appSpec(runId, checkedImage));
    await hosts.waitHealthy(host, started.id, APP_PORT, http("/no-such-path"));
    const info = await engineOf(host).getContainer(started.id).inspect();
    expect(info.State.Health?.Status).toBe("healthy");
    const observed = await observeOnly(host, runId);
    const container = observed.hosts.find((h) => h.name === host)?.containers.find((c) => c.id === started.id);
    expect(container?.health).toBe("healthy");
  });

  it("fails early with the exit code and the log tail when the container exits", async () => {
    const started = await hosts.run(
      host,
      appSpec(runId, image, { app: "crasher", environment: { MODE: "exit", DELAY: "0.5" } }),
    );
    const err = await rolloutFailure(hosts.waitHealthy(host, started.id, APP_PORT, http("/healthz", 30_000)));
    expect(err).toMatchObject({ code: "DOCKHAND_E_HEALTH", app: "crasher", step: "waitHealthy" });
    expect(err.message).toMatch(
      new RegExp(
        `^container ${started.name} on host ${host} did not become healthy: it (exited|is restarting after exiting) with code 3$`,
      ),
    );
    expect(err.logsTail).toContain("starting in mode exit\nfatal: cannot start\n");
  });
});

describe("health.stable: a new container must stay up after passing", () => {
  it("fails a container that crashes right after its check passed, with its logs and health log", async () => {
    const spec = appSpec(runId, image, { app: "flaky", environment: { MODE: "crash", DELAY: "1" } });
    const started = await hosts.run("alpha", spec);
    const health = { ...http("/healthz"), stableMs: 8_000 };
    const err = await rolloutFailure(hosts.waitHealthy("alpha", started.id, APP_PORT, health));
    expect(err).toMatchObject({ code: "DOCKHAND_E_HEALTH", app: "flaky", step: "waitHealthy" });
    expect(err.message).toMatch(
      new RegExp(
        `^container ${started.name} on host alpha did not become healthy: it (exited with code 4|is restarting after exiting with code 4|restarted \\(exit code 4\\)|restarted \\(it exited and the engine started it again\\)) within 8000 ms of passing GET /healthz \\(health\\.stable\\)$`,
      ),
    );
    expect(err.logsTail).toContain("crashed\n");
    expect(err.healthLog).toMatch(/ passed$/m);
  });

  it("passes a container that stays up for the whole window", async () => {
    const started = await hosts.run("beta", appSpec(runId, image));
    await hosts.waitHealthy("beta", started.id, APP_PORT, { ...http("/healthz"), stableMs: 600 });
    const info = await rawEngines().beta.getContainer(started.id).inspect();
    expect(info.State.Running).toBe(true);
    expect(info.RestartCount).toBe(0);
  });
});

describe("waitHealthy failures", () => {
  it("fails when the health path keeps answering 404, once `within` has passed", async () => {
    const started = await hosts.run("beta", appSpec(runId, image, { app: "lost" }));
    const err = await rolloutFailure(hosts.waitHealthy("beta", started.id, APP_PORT, http("/missing", 1_500)));
    expect(err).toMatchObject({ code: "DOCKHAND_E_HEALTH", app: "lost", step: "waitHealthy" });
    expect(err.message).toBe(
      `container ${started.name} on host beta did not become healthy: GET /missing did not pass within 1500 ms; ` +
        `last: GET http://127.0.0.2:${started.hostPort}/missing answered 404`,
    );
    expect(err.logsTail).toBe(`starting in mode serve\nlistening on ${APP_PORT}\n`);
    // Earlier lines may show the app still starting (connection reset); repeats are folded.
    expect(err.healthLog.split("\n").at(-1)).toMatch(
      new RegExp(`^\\S+Z GET http://127\\.0\\.0\\.2:${started.hostPort}/missing answered 404 \\(\\d+ times\\)$`),
    );
  });

  it("fails when the TCP port never opens", async () => {
    const started = await hosts.run("alpha", appSpec(runId, image, { environment: { MODE: "slow", DELAY: "60" } }));
    const err = await rolloutFailure(hosts.waitHealthy("alpha", started.id, APP_PORT, tcp(1_000)));
    expect(err.message).toMatch(/did not pass within 1000 ms; last: TCP 127\.0\.0\.1:\d+: /);
    expect(err.logsTail).toBe("starting in mode slow\n");
  });

  it("fails when the image's HEALTHCHECK reports unhealthy", async () => {
    const spec = appSpec(runId, checkedImage, { environment: { HEALTH: "fail" } });
    const started = await hosts.run("alpha", spec);
    const err = await rolloutFailure(hosts.waitHealthy("alpha", started.id, APP_PORT, http("/healthz")));
    expect(err.message).toMatch(/did not become healthy: its HEALTHCHECK reports unhealthy; last check exited 1/);
    // The engine's own HEALTHCHECK log: one line per check, with its time and exit code.
    expect(err.healthLog.split("\n").at(-1)).toMatch(/^\S+ exit 1: /);
  });

  it("stops waiting when the signal is aborted", async () => {
    const started = await hosts.run("alpha", appSpec(runId, image, { environment: { MODE: "slow", DELAY: "60" } }));
    const controller = new AbortController();
    const reason = new Error("rollout cancelled");
    setTimeout(() => controller.abort(reason), 300);
    await expect(hosts.waitHealthy("alpha", started.id, APP_PORT, tcp(), controller.signal)).rejects.toBe(reason);
  });
});
