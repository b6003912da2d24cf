/**
 * `dockhand hosts check` as a user runs it (the real binary), against the
 * test bed's engines and against broken hosts beside them, over SSH too (the
 * test bed's sshd and a private one); and `dockhand serve` logging the same
 * check at start-up while it serves anyway.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOST_CHECKS } from "../../../src/docker/host-check.js";
import type { HostCheck } from "../../../src/docker/index.js";
import { runCli, startDockhand } from "../../support/dockhand-process.js";
import { freePort } from "../../support/free-port.js";
import { startSshd, type TestSshd } from "../../support/sshd.js";
import { testbed, testbedSsh } from "../../support/testbed.js";
import { waitFor } from "../../support/wait-for.js";

const instance = `hk${randomBytes(3).toString("hex")}`;
const root = mkdtempSync(join(tmpdir(), "dockhand-hosts-check-"));
const env = { DOCKHAND_INSTANCE: instance, DOCKHAND_STATE_DIR: join(root, "state"), REDIS_URL: "" };
// The test bed's engines are shared with other test runs on two cores: give each host time.
const TIMEOUT = ["--timeout", "60s"];

const bed = testbed();
const ALPHA = `  alpha:\n    docker: ${bed.alpha}\n    address: 127.0.0.1\n    capacity: 20\n`;
const BETA = [
  "  beta:",
  `    docker: ${bed.beta}`,
  `    tls: { ca: ${bed.betaCerts}/ca.pem, cert: ${bed.betaCerts}/cert.pem, key: ${bed.betaCerts}/key.pem }`,
  "    address: 127.0.0.2",
  "    capacity: 20",
  "",
].join("\n");
// An engine that is down: nothing listens on that port.
const STOPPED = "  stopped:\n    docker: tcp://127.0.0.2:1\n    address: 127.0.0.2\n    capacity: 20\n";
// Beta's engine publishing on 127.0.0.2, but an address nothing of it answers on.
const WRONG = BETA.replace("  beta:", "  wrong:").replace(
  "address: 127.0.0.2",
  "address: 127.0.0.9\n    bindAddress: 127.0.0.2",
);
const ssh = testbedSsh();
const sshHost = (name: string, endpoint: string) =>
  `  ${name}:\n    docker: ${endpoint}\n    socket: ${ssh.socket}\n    address: 127.0.0.2\n    capacity: 20\n`;

function deployRepo(name: string, hosts: string, proxyListen = "127.0.0.1:8080"): string {
  const dir = join(root, name);
  mkdirSync(join(dir, "apps"), { recursive: true });
  writeFileSync(join(dir, "dockhand.yaml"), `hosts:\n${hosts}proxy:\n  driver: builtin\n  listen: ${proxyListen}\n`);
  return dir;
}

const good = deployRepo("good", ALPHA + BETA);
const broken = deployRepo("broken", ALPHA + STOPPED + WRONG);

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The SSH settings of the CLI's environment; HOME is the test's, so no ~/.ssh or agent of the machine is read. */
function sshEnv(key: string, knownHosts: string) {
  return { ...env, HOME: root, SSH_AUTH_SOCK: "", DOCKHAND_SSH_KEY: key, DOCKHAND_SSH_KNOWN_HOSTS: knownHosts };
}

/** One host's check as printed: its mark, what it found and, under a failure, the fix. */
function resultOf(lines: string[], host: string, check: string) {
  const index = lines.findIndex((l) => l.startsWith(`${host} `) && l.includes(` ${check} `));
  const [, mark, detail] = lines[index]?.match(/^\S+ +(\S) \S+ +(.*)$/) ?? [];
  const fix = lines[index + 1]?.match(/^ +fix: (.*)$/)?.[1];
  return index < 0 ? undefined : { mark, detail, ...(fix === undefined ? {} : { fix }) };
}

/** ssh-keygen's fingerprint of a key file (public or private), as `SHA256:...`. */
function fingerprint(file: string): string {
  return execFileSync("ssh-keygen", ["-lf", file], { encoding: "utf8" }).split(" ")[1] ?? "";
}

describe("dockhand hosts check", () => {
  it("passes every check of the test bed's hosts, a line per host and check, and exits 0", async () => {
    const result = await runCli(["hosts", "check", "--repo", good, ...TIMEOUT], env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^HOST +CHECK +RESULT$/);
    for (const host of ["alpha", "beta"]) {
      for (const check of HOST_CHECKS) expect(lines).toContainEqual(expect.stringMatching(`^${host} +✓ ${check} +\\S`));
    }
    expect(lines).toContainEqual(expect.stringMatching(/^alpha +✓ reachable +unix, answered in \d+ ms$/));
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^beta +✓ address +127\.0\.0\.2 reaches a published port \(GET http:\/\/127\.0\.0\.2:\d+\/\)$/,
      ),
    );
    expect(lines).toContainEqual(expect.stringMatching(`^alpha +✓ containers +0 containers of instance ${instance}`));
    expect(lines.at(-1)).toBe("2 hosts ok: alpha ok, beta ok");
  });

  it("--json prints one object per host with each check", async () => {
    const result = await runCli(["hosts", "check", "--repo", good, "--json", ...TIMEOUT], env);
    expect(result.code).toBe(0);
    const hosts = JSON.parse(result.stdout) as HostCheck[];
    expect(hosts.map((h) => [h.host, h.ok, h.facts.transport])).toEqual([
      ["alpha", true, "unix"],
      ["beta", true, "tcp+tls"],
    ]);
    for (const host of hosts) {
      expect(host.checks.map((c) => [c.check, c.status])).toEqual(HOST_CHECKS.map((c) => [c, "pass"]));
      expect(host.facts).toMatchObject({ apiVersion: "1.41", storageDriver: "overlay2", capacity: 20 });
    }
  });

  it("names each failure with its fix and exits 1: an engine that is down, an address that reaches nothing", async () => {
    const result = await runCli(["hosts", "check", "--repo", broken, ...TIMEOUT], env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split("\n");
    const fixOf = (pattern: RegExp) => lines[lines.findIndex((l) => pattern.test(l)) + 1]?.trim();

    const stopped =
      /^stopped +✗ reachable +connection refused at tcp:\/\/127\.0\.0\.2:1: the engine is stopped or does not listen there$/;
    expect(lines).toContainEqual(expect.stringMatching(stopped));
    expect(fixOf(stopped)).toBe(
      "fix: start the engine and make it listen there (dockerd -H tcp://0.0.0.0:2376 --tlsverify ...), or fix hosts.stopped.docker",
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^stopped +- engine +not checked: the engine is not reachable$/),
    );

    const wrong =
      /^wrong +✗ address +GET http:\/\/127\.0\.0\.9:\d+\/ failed: connect ECONNREFUSED 127\.0\.0\.9:\d+; the engine published the port on 127\.0\.0\.2:\d+$/;
    expect(lines).toContainEqual(expect.stringMatching(wrong));
    expect(fixOf(wrong)).toBe(
      "fix: set hosts.wrong.address to an address of this host that this machine reaches on bindAddress's interface (127.0.0.2), and let this machine through the host's firewall to its published ports (usually 32768-60999/tcp)",
    );
    expect(lines).toContainEqual(expect.stringMatching(/^wrong +✓ reachable +tcp\+tls, answered in \d+ ms$/));
    expect(lines.at(-1)).toBe("2 of 3 hosts failed: alpha ok, stopped failed (reachable), wrong failed (address)");
  });

  it("refuses a --timeout that is not a duration, saying what would be right", async () => {
    const result = await runCli(["hosts", "check", "--repo", good, "--timeout", "soon"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: --timeout "soon": expected a duration like 10s, 30s or 1m\n');
    expect(result.stdout).toBe("");
  });
});

describe("dockhand hosts check over SSH", () => {
  const sshDir = join(root, "ssh");
  // A key the test bed's sshd has never seen; the private sshd takes it, restricted, without port-forwarding.
  const strangerKey = join(sshDir, "stranger_ed25519");
  let noForward: TestSshd;
  let noForwardDir: string;

  beforeAll(async () => {
    mkdirSync(sshDir, { recursive: true });
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "stranger", "-f", strangerKey]);
    const restricted = `restrict ${readFileSync(`${strangerKey}.pub`, "utf8").trim()}`;
    noForwardDir = mkdtempSync(join(sshDir, "sshd-"));
    noForward = await startSshd(noForwardDir, { extraKeys: [restricted] });
  });
  afterAll(async () => {
    await noForward?.stop();
  });

  it("passes every check of the test bed's sshd with its key and known_hosts", async () => {
    const repo = deployRepo("ssh-good", sshHost("viassh", ssh.endpoint));
    const result = await runCli(["hosts", "check", "--repo", repo, ...TIMEOUT], sshEnv(ssh.key, ssh.knownHosts));
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    for (const check of HOST_CHECKS) expect(lines).toContainEqual(expect.stringMatching(`^viassh +✓ ${check} +\\S`));
    expect(lines).toContainEqual(expect.stringMatching(/^viassh +✓ reachable +ssh, answered in \d+ ms$/));
    expect(lines).toContainEqual(expect.stringMatching(/^viassh +✓ authenticated +ssh: the engine let us in$/));
    expect(lines.at(-1)).toBe("1 host ok: viassh ok");
  });

  it("names a login sshd refuses and a forward it refuses, each with its fix, and exits 1", async () => {
    const knownHosts = join(sshDir, "known_hosts.both");
    writeFileSync(knownHosts, `${readFileSync(ssh.knownHosts, "utf8")}${noForward.knownHostsLine}\n`);
    const repo = deployRepo(
      "ssh-refused",
      sshHost("stranger", ssh.endpoint) + sshHost("noforward", noForward.endpoint),
    );
    const result = await runCli(["hosts", "check", "--repo", repo, ...TIMEOUT], sshEnv(strangerKey, knownHosts));
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split("\n");

    expect(resultOf(lines, "stranger", "reachable")).toEqual({
      mark: "✓",
      detail: `ssh, something answers at ${ssh.endpoint}`,
    });
    expect(resultOf(lines, "stranger", "authenticated")).toEqual({
      mark: "✗",
      detail: `the server refused login as root with DOCKHAND_SSH_KEY ${strangerKey} (ssh-ed25519 ${fingerprint(strangerKey)}); the server accepts: publickey`,
      fix: `add dockhand's public key (ssh-keygen -y -f ${strangerKey} prints it) to ~root/.ssh/authorized_keys on the host, or give dockhand a key that is in it (DOCKHAND_SSH_KEY, or an agent at SSH_AUTH_SOCK)`,
    });
    expect(resultOf(lines, "stranger", "engine")).toEqual({
      mark: "-",
      detail: "not checked: the engine is not authenticated",
    });

    expect(resultOf(lines, "noforward", "reachable")?.mark).toBe("✓");
    expect(resultOf(lines, "noforward", "authenticated")).toEqual({
      mark: "✗",
      detail: `sshd let root in but refused to forward to ${ssh.socket} (open failed)`,
      fix: "in the host's sshd_config set AllowStreamLocalForwarding yes and AllowTcpForwarding local (or yes), then reload sshd; where root's line in authorized_keys has restrict or no-port-forwarding, add port-forwarding to it",
    });
    expect(lines.at(-1)).toBe("2 of 2 hosts failed: noforward failed (authenticated), stranger failed (authenticated)");
  });

  it("names an unknown host key and a changed one, each with its fingerprints and the known_hosts line", async () => {
    // The test bed's host key filed under the private sshd's name: for the test bed's sshd the file is as
    // good as empty (no line names it), and the private one shows another key than the file holds for it.
    const [, ...bedKey] = readFileSync(ssh.knownHosts, "utf8").trim().split(" ");
    const knownHosts = join(sshDir, "known_hosts.other");
    const content = `[127.0.0.2]:${noForward.port} ${bedKey.join(" ")}\n`;
    writeFileSync(knownHosts, content);
    const repo = deployRepo("ssh-host-keys", sshHost("newhost", ssh.endpoint) + sshHost("changed", noForward.endpoint));
    const result = await runCli(["hosts", "check", "--repo", repo, ...TIMEOUT], sshEnv(ssh.key, knownHosts));
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split("\n");
    const bedFingerprint = fingerprint(ssh.knownHosts);

    expect(resultOf(lines, "newhost", "reachable")).toEqual({
      mark: "✓",
      detail: `ssh, something answers at ${ssh.endpoint}`,
    });
    expect(resultOf(lines, "newhost", "authenticated")).toEqual({
      mark: "✗",
      detail: `the server's host key is not known: ED25519 key ${bedFingerprint}`,
      fix: `check it on the server (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub); if it matches, add this line to ${knownHosts} (DOCKHAND_SSH_KNOWN_HOSTS): ${readFileSync(ssh.knownHosts, "utf8").trim()} (or set DOCKHAND_SSH_ACCEPT_NEW=1 to add keys of new hosts on first use)`,
    });

    expect(resultOf(lines, "changed", "reachable")?.mark).toBe("✓");
    const shown = fingerprint(join(noForwardDir, "ssh_host_ed25519_key.pub"));
    expect(resultOf(lines, "changed", "authenticated")).toEqual({
      mark: "✗",
      detail: `the server's host key has changed: it shows ED25519 key ${shown}, but ED25519 key ${bedFingerprint} at ${knownHosts}:1 is what it should show`,
      fix:
        "someone may be intercepting the connection (a man in the middle): compare with ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub " +
        `run on the server itself, not over this network; only if the key was replaced on purpose, replace the line at ${knownHosts}:1 with: ${noForward.knownHostsLine}`,
    });
    expect(readFileSync(knownHosts, "utf8")).toBe(content);
    expect(lines.at(-1)).toBe("2 of 2 hosts failed: changed failed (authenticated), newhost failed (authenticated)");
  });
});

describe("dockhand serve", () => {
  it("logs the host check at start-up, each failure with its fix, and serves anyway", async () => {
    const httpPort = await freePort();
    const repo = deployRepo("serve", ALPHA + STOPPED, `127.0.0.1:${await freePort()}`);
    const serve = startDockhand(["serve"], {
      ...env,
      DOCKHAND_STATE_DIR: join(root, "serve-state"),
      DOCKHAND_REPO: repo,
      DOCKHAND_GITHUB_REPO: "acme/deploy",
      DOCKHAND_WEBHOOK_SECRET: "hosts-check-secret",
      DOCKHAND_HTTP_PORT: String(httpPort),
      GITHUB_TOKEN: "",
    });
    try {
      const failed = await waitFor("the start-up check of host stopped", () =>
        serve.logged("host check failed").find((l) => l.host === "stopped"),
      );
      expect(failed).toMatchObject({
        level: 40,
        component: "hosts-check",
        endpoint: "tcp://127.0.0.2:1",
        problems: [
          {
            check: "reachable",
            status: "fail",
            detail: "connection refused at tcp://127.0.0.2:1: the engine is stopped or does not listen there",
            fix: "start the engine and make it listen there (dockerd -H tcp://0.0.0.0:2376 --tlsverify ...), or fix hosts.stopped.docker",
          },
        ],
      });
      // alpha's own verdict depends on how busy the shared test bed is; that it is logged does not.
      await waitFor("the start-up check of host alpha", () =>
        serve.lines.find((l) => String(l.msg).startsWith("host check ") && l.host === "alpha"),
      );
      await waitFor("dockhand to serve", () => serve.logged("dockhand serving")[0]);
      const health = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });
});
