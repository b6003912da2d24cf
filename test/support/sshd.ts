/**
 * A private OpenSSH server for one test file, in front of an engine socket:
 * its own port, host key, config and log, so a test can restart it, change
 * its key or count its logins without touching the test bed's sshd. It takes
 * the test bed's client key (and any `extraKeys`), key-only, forwarding only,
 * like scripts/testbed/sshd.sh.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { freePort } from "./free-port.js";
import { testbedSsh } from "./testbed.js";
import { waitFor } from "./wait-for.js";

export const SSHD_HOST = "127.0.0.2";

export interface TestSshd {
  /** `ssh://root@127.0.0.2:PORT` */
  endpoint: string;
  port: number;
  /** A known_hosts file that holds this server's key, and only it. */
  knownHosts: string;
  /** The line of knownHosts. */
  knownHostsLine: string;
  /** Logins the server accepted since it was first started ("Accepted publickey" lines). */
  logins(): number;
  /** Kill the server and every session it runs (as a crash or reboot would), then start it again. */
  restart(): Promise<void>;
  /** Kill the server and its sessions, leaving it down. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Pids of the processes below `pid` (sshd forks one session process per connection, in its own session). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Resolves once the server sends its SSH banner. */
function banner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, SSHD_HOST);
    socket.setTimeout(1_000);
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("SSH-2.0-"));
    });
    for (const event of ["error", "timeout", "close"]) socket.once(event, () => resolve(false));
  });
}

export async function startSshd(dir: string, options: { extraKeys?: string[] } = {}): Promise<TestSshd> {
  const bed = testbedSsh();
  const port = await freePort(SSHD_HOST);
  const hostKey = join(dir, "ssh_host_ed25519_key");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "dockhand-test-sshd", "-f", hostKey]);
  const authorized = [readFileSync(bed.authorizedKeys, "utf8").trim(), ...(options.extraKeys ?? [])];
  writeFileSync(join(dir, "authorized_keys"), `${authorized.join("\n")}\n`);
  const knownHostsLine = `[${SSHD_HOST}]:${port} ${readFileSync(`${hostKey}.pub`, "utf8").split(" ").slice(0, 2).join(" ")}`;
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, `${knownHostsLine}\n`);
  const config = join(dir, "sshd_config");
  const log = join(dir, "sshd.log");
  writeFileSync(log, "");
  writeFileSync(
    config,
    [
      `Port ${port}`,
      `ListenAddress ${SSHD_HOST}`,
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      // The files live in a temporary directory, which sshd's ownership checks would refuse.
      "StrictModes no",
      "AllowUsers root",
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "AllowStreamLocalForwarding yes",
      "AllowTcpForwarding local",
      "PermitTTY no",
      "LogLevel VERBOSE",
      "MaxStartups 100:30:200",
      "",
    ].join("\n"),
  );
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn("/usr/sbin/sshd", ["-D", "-f", config, "-E", log], { stdio: "ignore" });
    const started = child;
    await waitFor(`sshd on ${SSHD_HOST}:${port}`, async () => started.exitCode === null && (await banner(port)), {
      timeoutMs: 20_000,
      intervalMs: 50,
    });
  };
  const kill = async () => {
    const running = child;
    if (!running?.pid || running.exitCode !== null) return;
    const gone = new Promise((resolve) => running.once("exit", resolve));
    for (const pid of [running.pid, ...descendants(running.pid)]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    await gone;
  };
  await start();
  return {
    endpoint: `ssh://root@${SSHD_HOST}:${port}`,
    port,
    knownHosts,
    knownHostsLine,
    logins: () => readFileSync(log, "utf8").match(/Accepted publickey for /g)?.length ?? 0,
    restart: async () => {
      await kill();
      await start();
    },
    kill,
    start,
    stop: kill,
  };
}
