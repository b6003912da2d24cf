/**
 * `docker: ssh://` against a real OpenSSH server (a private one per file, in
 * front of beta's socket: test/support/sshd.ts): one connection for every
 * call, host keys checked, credentials from the agent then the key file,
 * errors that say what to fix, a dropped connection failing its calls as
 * retryable and the next call reconnecting.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectEngine } from "../../../src/docker/connect-engine.js";
import { engineError } from "../../../src/docker/engine-error.js";
import { DockerHosts } from "../../../src/docker/index.js";
import type { HostSpec, ObservedHost } from "../../../src/model/index.js";
import { deleteFromRegistry, removeImages, seedRegistry } from "../../support/registry-seed.js";
import { startSshd, type TestSshd } from "../../support/sshd.js";
import { testbed, testbedRegistry, testbedSsh } from "../../support/testbed.js";
import { waitFor } from "../../support/wait-for.js";
import {
  appSpec,
  cleanupRun,
  contextTar,
  failureOf,
  lineCollector,
  newRunId,
  prepareAppImage,
  RUN_LABEL,
} from "./docker-fixtures.js";

const bed = testbedSsh();
let dir: string;
let sshd: TestSshd;
let wrongKey: string;
let lockedKey: string;

/** ssh-keygen's fingerprint of a key file (public or private), as `SHA256:...`. */
function fingerprint(file: string): string {
  return execFileSync("ssh-keygen", ["-lf", file], { encoding: "utf8" }).split(" ")[1] ?? "";
}

function newKey(name: string, passphrase = ""): string {
  const path = join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", passphrase, "-C", name, "-f", path]);
  return path;
}

function sshHost(extra: Partial<HostSpec> = {}): HostSpec {
  return {
    name: "beta",
    docker: sshd.endpoint,
    socket: bed.socket,
    address: "127.0.0.2",
    bind: "127.0.0.2",
    capacity: 10,
    labels: {},
    ...extra,
  };
}

/** HOME is the test's own directory, so no ~/.ssh of the machine is read. */
function sshEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { HOME: dir, DOCKHAND_SSH_KEY: bed.key, DOCKHAND_SSH_KNOWN_HOSTS: sshd.knownHosts, ...extra };
}

async function observeBeta(
  env: NodeJS.ProcessEnv,
  host = sshHost(),
  log?: (line: string) => void,
): Promise<ObservedHost> {
  const hosts = new DockerHosts([host], { env, log });
  try {
    return (await hosts.observe("ssh-test")).hosts[0] as ObservedHost;
  } finally {
    await hosts.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dockhand-ssh-"));
  wrongKey = newKey("wrong_ed25519");
  lockedKey = newKey("locked_ed25519", "open sesame");
  sshd = await startSshd(dir, { extraKeys: [readFileSync(`${lockedKey}.pub`, "utf8").trim()] });
});

afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("one SSH connection per host", () => {
  it("carries 50 concurrent API calls: the server sees one login", async () => {
    const before = sshd.logins();
    const hosts = new DockerHosts([sshHost()], { env: sshEnv() });
    const found = await Promise.all(Array.from({ length: 50 }, () => hosts.hasImage("beta", "busybox:stable")));
    expect(found).toEqual(Array(50).fill(true));
    expect((await hosts.observe("ssh-test")).hosts[0]?.reachable).toBe(true);
    await hosts.close();
    expect(sshd.logins() - before).toBe(1);
  });

  it("ends the connection when the hosts are closed", async () => {
    const disconnects = () =>
      (readFileSync(join(dir, "sshd.log"), "utf8").match(/Disconnected from user root/g) ?? []).length;
    // sshd logs a disconnect after the client has gone, so an earlier test's may still be on
    // its way: start once every login so far has its disconnect, then only ours can follow.
    const settled = () => disconnects() === sshd.logins();
    await waitFor("earlier sessions to end", settled, { timeoutMs: 10_000, intervalMs: 50 });
    const before = disconnects();
    const hosts = new DockerHosts([sshHost()], { env: sshEnv() });
    expect(await hosts.hasImage("beta", "busybox:stable")).toBe(true);
    await hosts.close();
    await waitFor("sshd to log the disconnect", () => disconnects() === before + 1 && settled(), {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
  });

  it("builds, runs, ships and reads logs through it", async () => {
    const runId = newRunId();
    const image = `dockhand-test/ssh:${runId}`;
    const dockerfile = `FROM busybox:stable\nLABEL ${RUN_LABEL}=${runId}\nRUN echo built over ssh > /built\n`;
    const env = sshEnv();
    const hosts = new DockerHosts(
      [
        sshHost(),
        { name: "alpha", docker: testbed().alpha, address: "127.0.0.1", bind: "127.0.0.1", capacity: 10, labels: {} },
      ],
      { env },
    );
    const before = sshd.logins();
    try {
      const build = lineCollector();
      await hosts.build("beta", image, contextTar({ Dockerfile: dockerfile }), "Dockerfile", build.sink);
      expect(build.lines.join("\n")).toMatch(/Successfully tagged/);
      const run = await hosts.runOnce(
        "beta",
        {
          name: `${runId}-once`,
          image,
          command: ["sh", "-c", "cat /built; echo to stderr >&2"],
          environment: {},
          labels: { [RUN_LABEL]: runId },
        },
        30_000,
      );
      // Both streams, in either order: the engine copies stdout and stderr apart, and under load
      // a line written just after another on the other stream may be recorded first.
      expect(run.exitCode).toBe(0);
      expect(run.output.split("\n").filter(Boolean).sort()).toEqual(["built over ssh", "to stderr"]);
      // docker save streamed out of the SSH host into alpha's docker load.
      await hosts.ship(image, "beta", "alpha");
      expect(await hosts.hasImage("alpha", image)).toBe(true);
      expect(sshd.logins() - before).toBe(1);
    } finally {
      await hosts.close();
      await cleanupRun(runId);
    }
  });

  it("pulls from a registry and follows a container's logs through it", async () => {
    const runId = newRunId();
    const ref = await seedRegistry(`dockhand-test/ssh-pull-${runId}`, "v1");
    const env = sshEnv({ DOCKHAND_REGISTRY_AUTH: testbedRegistry().authFile });
    const alpha = {
      name: "alpha",
      docker: testbed().alpha,
      address: "127.0.0.1",
      bind: "127.0.0.1",
      capacity: 10,
      labels: {},
    };
    const hosts = new DockerHosts([sshHost(), alpha], { env });
    try {
      await hosts.pull("beta", ref, () => undefined);
      expect(await hosts.hasImage("beta", ref)).toBe(true);
      const image = await prepareAppImage(hosts, runId);
      // Serves, then says "crashed" and exits 2 s later: the line comes while the logs are followed.
      const spec = appSpec(runId, image, { environment: { MODE: "crash", DELAY: "2" } });
      const started = await hosts.run("beta", spec);
      const lines: string[] = [];
      await hosts.streamLogs("beta", started.id, { follow: true }, (line) => lines.push(`${line.stream} ${line.text}`));
      expect(lines).toEqual(["stdout starting in mode crash", "stderr crashed"]);
    } finally {
      await hosts.close();
      await removeImages([ref]);
      await deleteFromRegistry(`dockhand-test/ssh-pull-${runId}`, "v1");
      await cleanupRun(runId);
    }
  });
});

describe("host keys", () => {
  it("refuses an unknown host key, with its fingerprint and the line to add", async () => {
    const empty = join(dir, "known_hosts.empty");
    writeFileSync(empty, "");
    const before = sshd.logins();
    const observed = await observeBeta(sshEnv({ DOCKHAND_SSH_KNOWN_HOSTS: empty }));
    const hostKey = fingerprint(join(dir, "ssh_host_ed25519_key.pub"));
    expect(observed.reachable).toBe(false);
    expect(observed.error).toBe(
      `host beta (${sshd.endpoint}) is unreachable: the server's host key is not known: ED25519 key ${hostKey}. ` +
        "Check it on the server (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub); if it matches, " +
        `add this line to ${empty} (DOCKHAND_SSH_KNOWN_HOSTS): ${sshd.knownHostsLine} ` +
        "(or set DOCKHAND_SSH_ACCEPT_NEW=1 to add keys of new hosts on first use)",
    );
    expect(sshd.logins()).toBe(before);
    expect(readFileSync(empty, "utf8")).toBe("");
  });

  it("reads ~/.ssh/known_hosts when DOCKHAND_SSH_KNOWN_HOSTS is not set", async () => {
    const home = mkdtempSync(join(dir, "home-"));
    const observed = await observeBeta({ HOME: home, DOCKHAND_SSH_KEY: bed.key });
    expect(observed.error).toContain(
      `add this line to ${home}/.ssh/known_hosts (the default; set DOCKHAND_SSH_KNOWN_HOSTS): `,
    );
  });

  it("adds an unknown key on first use with DOCKHAND_SSH_ACCEPT_NEW=1, and logs it", async () => {
    const file = join(dir, "known_hosts.accept");
    writeFileSync(file, "# first use\n");
    const log = lineCollector();
    const observed = await observeBeta(
      sshEnv({ DOCKHAND_SSH_KNOWN_HOSTS: file, DOCKHAND_SSH_ACCEPT_NEW: "1" }),
      sshHost(),
      log.sink,
    );
    expect(observed).toMatchObject({ reachable: true });
    expect(readFileSync(file, "utf8")).toBe(`# first use\n${sshd.knownHostsLine}\n`);
    expect(log.lines).toEqual([
      `host beta (${sshd.endpoint}): host key ED25519 key ${fingerprint(join(dir, "ssh_host_ed25519_key.pub"))} was not known; added to ${file} (DOCKHAND_SSH_ACCEPT_NEW=1): ${sshd.knownHostsLine}`,
    ]);
    // From now on the key is simply known.
    expect(await observeBeta(sshEnv({ DOCKHAND_SSH_KNOWN_HOSTS: file }))).toMatchObject({ reachable: true });
  });

  it("refuses a changed host key, loudly, even with DOCKHAND_SSH_ACCEPT_NEW=1", async () => {
    // The test bed sshd's key, filed under this server's address: what a man in the middle would look like.
    const otherKey = readFileSync(bed.knownHosts, "utf8").trim().split(" ").slice(1).join(" ");
    const file = join(dir, "known_hosts.changed");
    const content = `# old\n[127.0.0.2]:${sshd.port} ${otherKey}\n`;
    writeFileSync(file, content);
    const before = sshd.logins();
    const observed = await observeBeta(sshEnv({ DOCKHAND_SSH_KNOWN_HOSTS: file, DOCKHAND_SSH_ACCEPT_NEW: "1" }));
    const shown = fingerprint(join(dir, "ssh_host_ed25519_key.pub"));
    const held = fingerprint(`${bed.knownHosts}`);
    expect(observed.reachable).toBe(false);
    expect(observed.error).toBe(
      `host beta (${sshd.endpoint}) is unreachable: WARNING: THE SERVER'S HOST KEY HAS CHANGED. It shows ED25519 key ${shown}, ` +
        `but ED25519 key ${held} at ${file}:2 is what it should show. Someone may be intercepting the connection (a man in the middle), ` +
        "or the server's key was replaced. Refusing to connect. If the change is expected, check the new key " +
        `on the server and replace the old line with: ${sshd.knownHostsLine}`,
    );
    expect(readFileSync(file, "utf8")).toBe(content);
    expect(sshd.logins()).toBe(before);
  });
});

describe("credentials", () => {
  it("refuses a key the server does not know, naming the key and what the server accepts", async () => {
    const hosts = new DockerHosts([sshHost()], { env: sshEnv({ DOCKHAND_SSH_KEY: wrongKey }) });
    const err = await failureOf(hosts.hasImage("beta", "busybox:stable"));
    await hosts.close();
    expect(err).toMatchObject({ code: "DOCKHAND_E_HOST_UNREACHABLE", transient: false });
    expect(err.message).toBe(
      `host beta (${sshd.endpoint}) is unreachable: the server refused login as root with DOCKHAND_SSH_KEY ${wrongKey} (ssh-ed25519 ${fingerprint(wrongKey)}); the server accepts: publickey`,
    );
  });

  it("needs the passphrase of an encrypted key, and logs in with it", async () => {
    const without = await observeBeta(sshEnv({ DOCKHAND_SSH_KEY: lockedKey }));
    expect(without.error).toMatch(
      new RegExp(
        `^host beta \\(${sshd.endpoint}\\) is unreachable: DOCKHAND_SSH_KEY ${lockedKey}: .*passphrase.*: it is encrypted, set DOCKHAND_SSH_KEY_PASSPHRASE$`,
      ),
    );
    const wrong = await observeBeta(
      sshEnv({ DOCKHAND_SSH_KEY: lockedKey, DOCKHAND_SSH_KEY_PASSPHRASE: "open barley" }),
    );
    expect(wrong.error).toMatch(/: is DOCKHAND_SSH_KEY_PASSPHRASE right\?$/);
    const right = await observeBeta(
      sshEnv({ DOCKHAND_SSH_KEY: lockedKey, DOCKHAND_SSH_KEY_PASSPHRASE: "open sesame" }),
    );
    expect(right).toMatchObject({ reachable: true });
  });

  it("says what to set when there are no credentials at all", async () => {
    const observed = await observeBeta({ HOME: dir, DOCKHAND_SSH_KNOWN_HOSTS: sshd.knownHosts });
    expect(observed.error).toBe(
      `host beta (${sshd.endpoint}) is unreachable: no SSH credentials: run dockhand with an SSH agent (SSH_AUTH_SOCK) that holds the key, or set DOCKHAND_SSH_KEY to a private key file`,
    );
  });

  describe("with an SSH agent", () => {
    let agent: ChildProcess;
    const socket = () => join(dir, "agent.sock");
    beforeAll(async () => {
      agent = spawn("ssh-agent", ["-D", "-a", socket()], { stdio: "ignore" });
      await waitFor("ssh-agent", () => {
        try {
          execFileSync("ssh-add", ["-l"], { env: { SSH_AUTH_SOCK: socket() }, stdio: "ignore" });
          return true;
        } catch (err) {
          // ssh-add -l exits 1 for an agent without keys, 2 when it cannot reach one.
          return (err as { status?: number }).status === 1;
        }
      });
    });
    afterAll(() => {
      agent?.kill();
    });

    it("tries the agent before DOCKHAND_SSH_KEY", async () => {
      execFileSync("ssh-add", ["-q", bed.key], { env: { SSH_AUTH_SOCK: socket() } });
      const accepted = () => readFileSync(join(dir, "sshd.log"), "utf8").match(/Accepted publickey for root .*/g) ?? [];
      const before = accepted().length;
      const observed = await observeBeta(sshEnv({ SSH_AUTH_SOCK: socket(), DOCKHAND_SSH_KEY: wrongKey }));
      expect(observed).toMatchObject({ reachable: true });
      expect(accepted().slice(before)).toEqual([expect.stringContaining(fingerprint(bed.key))]);
      execFileSync("ssh-add", ["-D"], { env: { SSH_AUTH_SOCK: socket() }, stdio: "ignore" });
    });

    it("names the agent's keys and the key file when the server refuses both", async () => {
      execFileSync("ssh-add", ["-q", wrongKey], { env: { SSH_AUTH_SOCK: socket() } });
      const observed = await observeBeta(sshEnv({ SSH_AUTH_SOCK: socket(), DOCKHAND_SSH_KEY: wrongKey }));
      const key = `ssh-ed25519 ${fingerprint(wrongKey)}`;
      expect(observed.error).toBe(
        `host beta (${sshd.endpoint}) is unreachable: the server refused login as root with the SSH agent at ${socket()} (SSH_AUTH_SOCK; ${key}) and DOCKHAND_SSH_KEY ${wrongKey} (${key}); the server accepts: publickey`,
      );
      execFileSync("ssh-add", ["-D"], { env: { SSH_AUTH_SOCK: socket() }, stdio: "ignore" });
    });
  });
});

describe("faults", () => {
  it("fails a call cut off by a dropped connection as retryable, and reconnects on the next call", async () => {
    const engine = connectEngine(sshHost(), sshEnv());
    try {
      const events = (await engine.docker.getEvents()) as NodeJS.ReadableStream;
      const cut = new Promise<unknown>((resolve) => events.once("error", resolve));
      const before = sshd.logins();
      await sshd.restart();
      const err = engineError(engine, "follow events", await cut);
      expect(err).toMatchObject({ code: "DOCKHAND_E_HOST_UNREACHABLE", transient: true });
      // With what the socket said, when it said something (a reset).
      expect(err.message).toMatch(
        new RegExp(
          `^host beta \\(${sshd.endpoint}\\) is unreachable: the SSH connection dropped( \\(read ECONNRESET\\))?$`,
        ),
      );
      expect(await engine.docker.getImage("busybox:stable").inspect()).toMatchObject({
        RepoTags: expect.arrayContaining(["busybox:stable"]),
      });
      expect(sshd.logins() - before).toBe(1);
    } finally {
      engine.agent.destroy();
    }
  });

  it("reports a server that is down as retryable", async () => {
    await sshd.kill();
    try {
      const hosts = new DockerHosts([sshHost()], { env: sshEnv() });
      const err = await failureOf(hosts.hasImage("beta", "busybox:stable"));
      await hosts.close();
      expect(err).toMatchObject({
        code: "DOCKHAND_E_HOST_UNREACHABLE",
        transient: true,
        message: `host beta (${sshd.endpoint}) is unreachable: connect ECONNREFUSED 127.0.0.2:${sshd.port}`,
      });
    } finally {
      await sshd.start();
    }
  });

  it("names the engine socket the server could not open", async () => {
    const observed = await observeBeta(sshEnv(), sshHost({ socket: "/run/dockhand-testbed/no-such.sock" }));
    expect(observed.reachable).toBe(false);
    expect(observed.error).toMatch(
      new RegExp(
        `^host beta \\(${sshd.endpoint}\\) is unreachable: the SSH server could not open /run/dockhand-testbed/no-such.sock \\(.+\\): is the engine running with that socket`,
      ),
    );
  });
});
