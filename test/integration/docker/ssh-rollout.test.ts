/**
 * Rollouts with host beta reached over SSH (docker: ssh://, socket: beta's
 * engine socket), alpha over its unix socket: everything a sync does on a
 * host (observe, ship, run, health, logs, route, stop, remove) goes over the
 * one SSH connection. Then the SSH server restarts in the middle of a sync:
 * the sync fails as retryable, the retry succeeds and leaves nothing behind.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UnrecoverableError } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts } from "../../../src/docker/index.js";
import type { DeployOutcome, ObservedContainer } from "../../../src/model/index.js";
import { failureOf } from "../../../src/worker/queue/sync-verdict.js";
import type { StepEvent } from "../../../src/worker/rollout/rollout-context.js";
import { startSshd, type TestSshd } from "../../support/sshd.js";
import { testbed, testbedSsh } from "../../support/testbed.js";
import { appYaml, createRolloutBed, type RolloutBed } from "../rollout/rollout-fixtures.js";

const ssh = testbedSsh();

function hostsYaml(endpoint: string): string {
  return [
    "hosts:",
    `  alpha: { docker: "${testbed().alpha}", address: 127.0.0.1 }`,
    `  beta: { docker: "${endpoint}", socket: ${ssh.socket}, address: 127.0.0.2 }`,
    "",
  ].join("\n");
}

function webApp(bed: RolloutBed, page: string): string {
  return appYaml("web", bed.image, {
    replicas: "3",
    hostnames: "[web.ssh.test]",
    env: `{ PAGE: ${page} }`,
    health: "{ path: /healthz, within: 20s, stable: 200ms }",
    rollout: "{ drain: 0s, retain: 0 }",
  });
}

/** runSync as the worker runs it, its Docker hosts reading the SSH settings from `env`. */
function syncOver(bed: RolloutBed, env: NodeJS.ProcessEnv, onStep?: (event: StepEvent) => void) {
  return bed.sync({}, { dockerFor: (hosts) => createDockerHosts(hosts, { env }), ...(onStep ? { onStep } : {}) });
}

async function page(container: ObservedContainer): Promise<string> {
  const address = container.host === "alpha" ? "127.0.0.1" : "127.0.0.2";
  const port = container.hostPort;
  return (await fetch(`http://${address}:${port}/`)).text();
}

function loginsIn(log: string): number {
  return readFileSync(log, "utf8").match(/Accepted publickey for /g)?.length ?? 0;
}

describe("a rollout with beta over SSH (the test bed's sshd)", () => {
  let bed: RolloutBed;
  const env = { HOME: tmpdir(), DOCKHAND_SSH_KEY: ssh.key, DOCKHAND_SSH_KNOWN_HOSTS: ssh.knownHosts };

  beforeAll(async () => {
    bed = await createRolloutBed({ hostsYaml: hostsYaml(ssh.endpoint) });
  });
  afterAll(async () => {
    await bed?.close();
  });

  it("deploys, rolls to a new version and routes both hosts, over one SSH login per sync", async () => {
    bed.writeApp("web", webApp(bed, "v1"));
    const before = loginsIn(ssh.log);
    const first = await syncOver(bed, env);
    expect(first.status).toBe("succeeded");
    expect(loginsIn(ssh.log) - before).toBe(1);

    bed.writeApp("web", webApp(bed, "v2"));
    const second = await syncOver(bed, env);
    expect(second.status).toBe("succeeded");
    const running = await bed.running("web");
    expect(running.map((c) => c.host).sort()).toEqual(["alpha", "alpha", "beta"]);
    // Only the new version is left: retain 0 removed the old containers on both hosts.
    expect((await bed.containers("web")).length).toBe(3);
    for (const container of running) expect(await page(container)).toBe("v2\n");
    const route = (await bed.routes.load()).routes.find((r) => r.app === "web");
    expect(route?.upstreams.map((u) => u.container).sort()).toEqual(running.map((c) => c.name).sort());
  });
});

describe("the SSH server restarting in the middle of a sync", () => {
  let bed: RolloutBed;
  let dir: string;
  let sshd: TestSshd;
  const env = () => ({ HOME: dir, DOCKHAND_SSH_KEY: ssh.key, DOCKHAND_SSH_KNOWN_HOSTS: sshd.knownHosts });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "dockhand-ssh-rollout-"));
    sshd = await startSshd(dir);
    bed = await createRolloutBed({ hostsYaml: hostsYaml(sshd.endpoint) });
    bed.writeApp("web", webApp(bed, "v1"));
    expect((await syncOver(bed, env())).status).toBe("succeeded");
  });
  afterAll(async () => {
    await bed?.close();
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("fails the sync as retryable; the retry succeeds and nothing is left behind", async () => {
    bed.writeApp("web", webApp(bed, "v2"));
    let restarted: Promise<void> | undefined;
    const cut: DeployOutcome = await syncOver(bed, env(), (e) => {
      // Down just as a slot on beta starts (sessions and all, as a crash or reboot does), back once that step failed.
      if (e.phase === "start" && /^start \S+ on beta$/.test(e.step) && !restarted) restarted = sshd.kill();
      if (e.phase === "failed" && restarted) restarted = restarted.then(() => sshd.start());
    });
    await restarted;
    const web = cut.apps.find((a) => a.app === "web");
    expect(cut.status).toBe("failed");
    expect(web?.error).toMatchObject({ code: "DOCKHAND_E_HOST_UNREACHABLE" });
    expect(web?.error?.message).toMatch(new RegExp(`^host beta \\(${sshd.endpoint}\\) is unreachable: `));
    // What the worker does with it: retried with backoff, not failed for good.
    const verdict = failureOf(cut, undefined, new AbortController().signal, 60_000);
    expect(verdict).toBeInstanceOf(Error);
    expect(verdict).not.toBeInstanceOf(UnrecoverableError);
    expect(verdict?.message).toMatch(/\(will retry\)$/);

    const retried = await bed.sync({ retry: true }, { dockerFor: (hosts) => createDockerHosts(hosts, { env: env() }) });
    expect(retried.status).toBe("succeeded");
    const all = await bed.containers("web");
    expect(all.map((c) => `${c.host} ${c.state}`).sort()).toEqual(["alpha running", "alpha running", "beta running"]);
    for (const container of all) expect(await page(container)).toBe("v2\n");
    const route = (await bed.routes.load()).routes.find((r) => r.app === "web");
    expect(route?.upstreams.map((u) => u.container).sort()).toEqual(all.map((c) => c.name).sort());
  });
});
