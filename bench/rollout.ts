/**
 * Rollout benchmark (issue 4): `npx tsx bench/rollout.ts` (needs the test bed:
 * bash scripts/testbed/up.sh).
 *
 * Rolls a 3-replica app over both test bed hosts with a prebuilt image and
 * times it from the start of apply to the last old container stopped. In the
 * same run, alternating with it, a plain shell script does the minimal
 * equivalent with the docker CLI over the same engine connections: per slot,
 * `docker run`, poll /healthz with curl every 100 ms, `docker stop` the old
 * one; drain 0 on both sides. dockhand runs as in production: a built-in
 * proxy follows the route table in Redis and reports back, so every route-out
 * waits for the proxy to confirm it. Writes the "Rollouts" section of
 * docs/benchmarks.md. Goal: dockhand within 1.25x of the script.
 *
 * In the same run, a variant reaches beta over SSH (the test bed's sshd in
 * front of beta's socket) instead of TCP with TLS, and observing both hosts
 * over SSH is timed warm; they go to the "Docker over SSH" section. Goals:
 * the SSH rollout within 1.15x of the TLS one, a warm observe under 50 ms.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Redis } from "ioredis";
import pino from "pino";
import { pack } from "tar-stream";
import { createDockerHosts, DockerHosts } from "../src/docker/index.js";
import { DirectoryRepo } from "../src/git/index.js";
import { type HostSpec, LABELS } from "../src/model/index.js";
import { BuiltinProxy, ProxyReporter, RedisRouteStore, serveRoutes } from "../src/proxy/index.js";
import { RedisProxyReports } from "../src/worker/rollout/redis-proxy-reports.js";
import { runSync } from "../src/worker/sync/run-sync.js";
import { testbed, testbedHosts, testbedSsh } from "../test/support/testbed.js";
import { writeBenchmarkSection } from "./write-benchmark-section.js";

const RUNS = 5;
const BENCH_LABEL = "dockhand-bench.run";
const runId = randomBytes(4).toString("hex");
const instance = `bench${runId}`;
const image = `dockhand-bench/web:${runId}`;
const log = pino({ level: "silent" });

interface Variant {
  name: string;
  batch: number;
  stable: string;
  /** How beta is reached; default TCP with TLS. */
  beta?: "ssh";
}

const LIKE_THE_SCRIPT = "dockhand, batch 1, health.stable 0s (like the script)";
const OVER_SSH = "dockhand, batch 1, health.stable 0s, beta over SSH";
const VARIANTS: Variant[] = [
  { name: LIKE_THE_SCRIPT, batch: 1, stable: "0s" },
  { name: OVER_SSH, batch: 1, stable: "0s", beta: "ssh" },
  { name: "dockhand, batch 3: slots on both hosts at once", batch: 3, stable: "0s" },
  { name: "dockhand, batch 1, health.stable 2s (the default)", batch: 1, stable: "2s" },
];

const ENTRYPOINT = `#!/bin/sh
mkdir -p /www && echo "\${PAGE:-hello}" > /www/index.html && echo ok > /www/healthz
trap 'exit 0' TERM
httpd -f -p 8080 -h /www &
wait
`;

async function buildImage(docker: DockerHosts): Promise<void> {
  const tar = pack();
  const dockerfile = `FROM busybox:stable\nCOPY entrypoint.sh /entrypoint.sh\nLABEL ${BENCH_LABEL}=${runId}\nCMD ["/entrypoint.sh"]\n`;
  tar.entry({ name: "Dockerfile" }, dockerfile);
  tar.entry({ name: "entrypoint.sh", mode: 0o755 }, ENTRYPOINT);
  tar.finalize();
  await docker.build("alpha", image, Readable.from(tar), "Dockerfile", () => undefined);
  await docker.ship(image, "alpha", "beta");
}

function appFile(page: string, v: Variant): string {
  return [
    "name: web",
    `image: ${image}`,
    "port: 8080",
    "replicas: 3",
    "hostnames: [web.bench.test]",
    `env: { PAGE: ${page} }`,
    `health: { path: /healthz, timeout: 2s, within: 30s, stable: ${v.stable} }`,
    `rollout: { batch: ${v.batch}, drain: 0s, retain: 0 }`,
    "",
  ].join("\n");
}

function dockhandYaml(v: Variant): string {
  const bed = testbed();
  const ssh = testbedSsh();
  const beta =
    v.beta === "ssh"
      ? `{ docker: "${ssh.endpoint}", socket: ${ssh.socket}, address: 127.0.0.2 }`
      : `{ docker: "${bed.beta}", address: 127.0.0.2, tls: { ca: ${bed.betaCerts}/ca.pem, cert: ${bed.betaCerts}/cert.pem, key: ${bed.betaCerts}/key.pem } }`;
  return ["hosts:", `  alpha: { docker: "${bed.alpha}", address: 127.0.0.1 }`, `  beta: ${beta}`, ""].join("\n");
}

/** dockhand's environment for SSH hosts: the test bed's client key and known_hosts. */
function sshEnv(): NodeJS.ProcessEnv {
  const ssh = testbedSsh();
  return { ...process.env, DOCKHAND_SSH_KEY: ssh.key, DOCKHAND_SSH_KNOWN_HOSTS: ssh.knownHosts };
}

/** Observe both hosts `rounds` times on one warm DockerHosts; each host over the same SSH server, to its own engine's socket. */
async function timeObserve(hosts: HostSpec[], rounds: number): Promise<number[]> {
  const docker = new DockerHosts(hosts, { env: sshEnv() });
  try {
    const first = await docker.observe(instance);
    const down = first.hosts.filter((h) => !h.reachable);
    if (down.length > 0) throw new Error(`observe: ${down.map((h) => h.error).join("; ")}`);
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const began = performance.now();
      await docker.observe(instance);
      times.push(Math.round((performance.now() - began) * 10) / 10);
    }
    return times;
  } finally {
    await docker.close();
  }
}

function observeHosts(): Record<"ssh" | "direct", HostSpec[]> {
  const bed = testbed();
  const ssh = testbedSsh();
  const common = { capacity: 50, labels: {} };
  const sshHost = (name: string, socket: string, address: string): HostSpec => ({
    name,
    docker: ssh.endpoint,
    socket: socket.replace(/^unix:\/\//, ""),
    address,
    bind: address,
    ...common,
  });
  return {
    ssh: [sshHost("alpha", bed.alpha, "127.0.0.1"), sshHost("beta", bed.betaSocket, "127.0.0.2")],
    direct: testbedHosts(),
  };
}

/** docker CLI flags for each host, over the same endpoints dockhand uses. */
function cliHosts(): Record<"alpha" | "beta", { flags: string; address: string }> {
  const bed = testbed();
  const certs = bed.betaCerts;
  return {
    alpha: { flags: `-H ${bed.alpha}`, address: "127.0.0.1" },
    beta: {
      flags: `--tlsverify --tlscacert ${certs}/ca.pem --tlscert ${certs}/cert.pem --tlskey ${certs}/key.pem -H ${bed.beta}`,
      address: "127.0.0.2",
    },
  };
}

const SLOT_HOSTS = ["alpha", "beta", "alpha"] as const;

function cliRun(host: "alpha" | "beta", name: string, page: string): void {
  const { flags } = cliHosts()[host];
  execFileSync(
    "bash",
    [
      "-c",
      `docker ${flags} run -d --name ${name} --label ${BENCH_LABEL}=${runId} --restart unless-stopped -e PAGE=${page} -p 8080 ${image} >/dev/null`,
    ],
    { stdio: "inherit" },
  );
}

/** The plain script: per slot, run the new one, poll its /healthz, stop the old one. Prints its own wall time (ms). */
function plainScript(olds: string[], news: string[], page: string): string {
  const hosts = cliHosts();
  const lines = [
    "set -euo pipefail",
    "start=$(date +%s%N)",
    "roll() {",
    '  docker $1 run -d --name "$3" --label ' +
      `${BENCH_LABEL}=${runId}` +
      ` --restart unless-stopped -e PAGE=${page} -p 8080 ${image} >/dev/null`,
    '  port=$(docker $1 port "$3" 8080/tcp | head -1 | sed "s/.*://")',
    '  until curl -fsS -o /dev/null "http://$2:$port/healthz" 2>/dev/null; do sleep 0.1; done',
    '  docker $1 stop "$4" >/dev/null',
    "}",
    ...SLOT_HOSTS.map((h, i) => `roll "${hosts[h].flags}" ${hosts[h].address} ${news[i]} ${olds[i]}`),
    "end=$(date +%s%N)",
    "echo $(( (end - start) / 1000000 ))",
  ];
  return lines.join("\n");
}

function timeScript(round: number): number {
  const olds = SLOT_HOSTS.map((_, i) => `bench-${runId}-s${i}-r${round}-old`);
  const news = SLOT_HOSTS.map((_, i) => `bench-${runId}-s${i}-r${round}-new`);
  for (const [i, h] of SLOT_HOSTS.entries()) cliRun(h, olds[i] as string, "old");
  const result = spawnSync("bash", ["-c", plainScript(olds, news, `s${round}`)], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`plain script failed: ${result.stderr}`);
  return Number(result.stdout.trim());
}

async function removeBenchContainers(): Promise<void> {
  const bed = testbed();
  for (const endpoint of [bed.alpha, bed.betaSocket]) {
    for (const label of [`${BENCH_LABEL}=${runId}`, `${LABELS.instance}=${instance}`]) {
      const ids = execFileSync("docker", ["-H", endpoint, "ps", "-aq", "--filter", `label=${label}`], {
        encoding: "utf8",
      }).trim();
      if (ids) execFileSync("docker", ["-H", endpoint, "rm", "-f", ...ids.split("\n")], { stdio: "ignore" });
    }
  }
}

interface Stats {
  median: number;
  min: number;
  max: number;
}

function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0 };
}

async function main(): Promise<void> {
  const docker = createDockerHosts(testbedHosts()) as DockerHosts;
  const dir = mkdtempSync(join(os.tmpdir(), "dockhand-bench-"));
  mkdirSync(join(dir, "apps"));
  writeFileSync(join(dir, "dockhand.yaml"), dockhandYaml(VARIANTS[0] as Variant));
  const prefix = `dockhand:${instance}:`;
  const redis = new Redis(testbed().redisUrl, { maxRetriesPerRequest: null });
  const routes = new RedisRouteStore({ redis: redis.duplicate(), prefix });
  const proxy = new BuiltinProxy({ listen: { host: "127.0.0.1", port: 0 }, log });
  await proxy.start();
  const reporter = new ProxyReporter({ redis: redis.duplicate(), prefix, proxy });
  reporter.start();
  const unserve = await serveRoutes(reporter.sink(), new RedisRouteStore({ redis: redis.duplicate(), prefix }));
  const proxies = new RedisProxyReports(redis, prefix);
  const timings = new Map<string, number[]>([["plain docker CLI script", []]]);
  const observeTimes: Record<"ssh" | "direct", number[]> = { ssh: [], direct: [] };
  try {
    await buildImage(docker);
    const sync = async (page: string, v: Variant): Promise<number> => {
      writeFileSync(join(dir, "dockhand.yaml"), dockhandYaml(v));
      writeFileSync(join(dir, "apps", "web.yaml"), appFile(page, v));
      const began = Date.now();
      let lastStop = 0;
      const outcome = await runSync(
        { trigger: "cli", env: "production" },
        {
          repo: new DirectoryRepo({ dir }),
          dockerFor: (hosts) => createDockerHosts(hosts, { env: sshEnv() }),
          routes,
          instance,
          log,
          proxies,
          onStep: (e) => {
            if (e.phase === "done" && e.step.startsWith("stop ")) lastStop = Date.now();
          },
        },
      );
      if (outcome.status !== "succeeded")
        throw new Error(`rollout ${page} ${outcome.status}: ${JSON.stringify(outcome)}`);
      return lastStop - began;
    };
    await sync("warmup", VARIANTS[0] as Variant);
    await sync("warmup-ssh", VARIANTS[1] as Variant);
    for (let round = 0; round < RUNS; round++) {
      for (const v of VARIANTS) {
        const ms = await sync(`r${round}-b${v.batch}-${v.stable}${v.beta ? `-${v.beta}` : ""}`, v);
        timings.set(v.name, [...(timings.get(v.name) ?? []), ms]);
      }
      timings.get("plain docker CLI script")?.push(timeScript(round));
      console.log(`round ${round + 1}/${RUNS}: ${[...timings].map(([n, t]) => `${n}: ${t.at(-1)} ms`).join("; ")}`);
    }
    // The app's 3 containers (and the script's leftovers) are on the hosts: a realistic observe.
    for (const kind of ["ssh", "direct"] as const) observeTimes[kind] = await timeObserve(observeHosts()[kind], 20);
  } finally {
    await unserve();
    await reporter.stop();
    await proxy.stop();
    await routes.close();
    redis.disconnect();
    await removeBenchContainers();
    await docker.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const results = [...timings].map(([name, values]) => ({ name, ...stats(values) }));
  const script = results.find((r) => r.name.startsWith("plain"))?.median ?? 1;
  for (const r of results)
    console.log(`${r.name}: median ${r.median} ms (${r.min}–${r.max}), ${(r.median / script).toFixed(2)}x`);
  console.log(`wrote ${writeBenchmarkSection("Rollouts", section(results, script))}`);
  console.log(`wrote ${writeBenchmarkSection("Docker over SSH", sshSection(results, observeTimes))}`);
}

function sshSection(results: Array<{ name: string } & Stats>, observe: Record<"ssh" | "direct", number[]>): string {
  const tls = results.find((r) => r.name === LIKE_THE_SCRIPT) as Stats;
  const ssh = results.find((r) => r.name === OVER_SSH) as Stats;
  const ratio = ssh.median / tls.median;
  const warm = { ssh: stats(observe.ssh), direct: stats(observe.direct) };
  const row = (what: string, s: Stats, note: string) => `| ${what} | ${s.median} ms (${s.min}–${s.max}) | ${note} |`;
  return [
    "## Docker over SSH",
    "",
    '`npx tsx bench/rollout.ts` (the same run as "Rollouts") also rolls the 3-replica app with beta reached over',
    "SSH (`docker: ssh://root@127.0.0.2:2222`, the test bed's OpenSSH server in front of beta's socket), alternating",
    "with the same rollout over TCP with TLS, and then times observing both hosts on one warm `DockerHosts`: each",
    "host over its own SSH connection to the same server (alpha's and beta's sockets), next to alpha over its unix",
    "socket and beta over TLS. Every sync opens one SSH connection per SSH host (key exchange and login included",
    `in the rollout's time) and closes it at the end. ${RUNS} rounds of rollouts, 20 observes.`,
    "",
    "sshd forwards without TCP_NODELAY, so an answer the engine writes in several pieces waited on our delayed",
    "ACK (Nagle against delayed ACK): before dockhand answered each burst of data at once",
    "(src/docker/ssh-ack-nudge.ts), one warm observe in two took ~48 ms instead of ~10 ms (median 48 ms).",
    "",
    `Machine: ${machine()}.`,
    "",
    "| what | median (min–max) | |",
    "|---|---|---|",
    row("rollout, beta over TCP + TLS", tls, ""),
    row(
      "rollout, beta over SSH",
      ssh,
      `${ratio.toFixed(2)}x of TLS: ${ratio <= 1.15 ? "meets" : "MISSES"} goal ≤ 1.15x`,
    ),
    row(
      "observe both hosts, warm, over SSH",
      warm.ssh,
      warm.ssh.median < 50 ? "meets goal < 50 ms" : "MISSES goal < 50 ms",
    ),
    row("observe both hosts, warm, unix socket + TLS", warm.direct, ""),
    "",
  ].join("\n");
}

function machine(): string {
  const cpus = os.cpus();
  const load = os.loadavg()[0]?.toFixed(1);
  return `${cpus.length} cores (${cpus[0]?.model.trim()}), Node ${process.version}, docker ${execFileSync("docker", ["-H", testbed().alpha, "version", "-f", "{{.Server.Version}}"], { encoding: "utf8" }).trim()}; load average ${load} at the end`;
}

function section(results: Array<{ name: string } & Stats>, script: number): string {
  const rows = results.map((r) => {
    const ratio = r.median / script;
    const note = r.name.includes("like the script")
      ? ratio <= 1.25
        ? "meets goal ≤ 1.25x"
        : "MISSES goal ≤ 1.25x"
      : "";
    return `| ${r.name} | ${r.median} ms (${r.min}–${r.max}) | ${ratio.toFixed(2)}x | ${note} |`;
  });
  return [
    "## Rollouts",
    "",
    "`npx tsx bench/rollout.ts` rolls a 3-replica app (busybox httpd, prebuilt image on both hosts) over the",
    "two test bed engines (alpha over a unix socket, beta over TCP with TLS) and times it from the start of",
    "apply (`runSync`: read the repo, validate, observe both hosts, plan) to the last old container stopped.",
    "dockhand runs as in production: a built-in proxy follows the route table in Redis and reports the",
    "version it serves, so every route-out waits for that proxy's confirmation. Drain is 0 s on both sides.",
    "The plain script does the minimal equivalent with the docker CLI over the same endpoints: per slot,",
    "`docker run`, poll `/healthz` with curl every 100 ms, `docker stop` the old container. The variants",
    `alternate with the script, ${RUNS} rounds.`,
    "",
    `Machine: ${machine()}.`,
    "",
    "| variant | apply start ─▶ last old container stopped, median (min–max) | vs. script | |",
    "|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}

await main();
