/**
 * Webhook and queue benchmark (issue 6): `npx tsx bench/webhook.ts`.
 *
 * 1. Ack latency: the real HTTP app of `dockhand serve` (webhook route in
 *    front of the real sync queue on a redis-server of its own) runs in a
 *    child process; this process sends signed, real push payloads (each a new
 *    X-GitHub-Delivery) at a fixed 200 requests/s, open loop (a slow answer
 *    never delays the next request), and times every answer.
 * 2. Burst: `dockhand serve` on the test bed (needs bash scripts/testbed/up.sh)
 *    gets 50 signed pushes of 50 new commits as fast as one client sends
 *    them; counted: the syncs run, and the time from the first push until
 *    every replica runs the last commit.
 *
 * Writes the "Webhooks and queue" section of docs/benchmarks.md.
 * Goals: p99 under 20 ms; at most 2 syncs per burst.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { Pool } from "undici";
import { createDockerHosts } from "../src/docker/index.js";
import { connectRedis } from "../src/runtime/connect-redis.js";
import { buildHttpApp } from "../src/runtime/http-app.js";
import { SyncQueue } from "../src/worker/queue/sync-queue.js";
import { cleanUp, newInstance, smallRepo } from "../test/integration/queue/queue-fixtures.js";
import { git } from "../test/support/deploy-repo.js";
import { startDockhand } from "../test/support/dockhand-process.js";
import { freePort } from "../test/support/free-port.js";
import { sign } from "../test/support/github-examples.js";
import { pushPayload } from "../test/support/github-webhook.js";
import { TESTBED_ENV_FILE, testbedHosts } from "../test/support/testbed.js";
import { writeBenchmarkSection } from "./write-benchmark-section.js";

const SECRET = "bench-secret";
const REPOSITORY = "acme/deploy";
const RATE = 200;
const SECONDS = 15;
const WARMUP = 200;
const BURST = 50;
const BURST_RUNS = 3;

// ── 1. ack latency ──────────────────────────────────────────────────────────

/** The child: the HTTP app of serve with the real queue, nothing else. */
async function serveOnly(redisUrl: string): Promise<void> {
  const redis = connectRedis(redisUrl);
  const queue = new SyncQueue(redis, "dockhand:bench:bull");
  const app = await buildHttpApp({
    log: pino({ level: "silent" }),
    webhook: {
      secrets: [SECRET],
      repository: REPOSITORY,
      branch: "main",
      enqueueSync: (job, requestId) => queue.enqueue(job, requestId),
    },
    ready: async () => true,
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  console.log(`listening ${(app.server.address() as AddressInfo).port}`);
}

function startRedis(dir: string): Promise<{ socket: string; child: ChildProcess }> {
  const socket = join(dir, "redis.sock");
  const child = spawn("redis-server", ["--port", "0", "--unixsocket", socket, "--save", "", "--appendonly", "yes"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += String(chunk);
      if (/ready to accept connections/i.test(out)) resolve({ socket, child });
    });
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
}

function startServer(socket: string): Promise<{ port: number; child: ChildProcess }> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [...process.execArgv, self, "--serve", socket], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      const port = /listening (\d+)/.exec(String(chunk))?.[1];
      if (port) resolve({ port: Number(port), child });
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

interface Delivery {
  headers: Record<string, string>;
  body: string;
}

/** Signed deliveries made up front, so signing never shares the timed loop. */
function deliveries(count: number, tag: string): Delivery[] {
  return Array.from({ length: count }, (_, i) => {
    const sha = (i + 1).toString(16).padStart(40, "0");
    const body = JSON.stringify(pushPayload(REPOSITORY, "refs/heads/main", sha));
    return {
      body,
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": `${tag}-${i}`,
        "x-hub-signature-256": sign(SECRET, body),
        "user-agent": "GitHub-Hookshot/bench",
      },
    };
  });
}

interface AckResult {
  sent: number;
  errors: number;
  statuses: Record<string, number>;
  ms: number[];
  rate: number;
  bytes: number;
}

async function ackLatency(port: number): Promise<AckResult> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 16, pipelining: 1 });
  const send = async (d: Delivery) => {
    const res = await pool.request({ method: "POST", path: "/webhooks/github", headers: d.headers, body: d.body });
    await res.body.dump();
    return res.statusCode;
  };
  for (const d of deliveries(WARMUP, "warm")) await send(d);
  const load = deliveries(RATE * SECONDS, "load");
  const ms: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const began = performance.now();
  const inflight: Array<Promise<void>> = [];
  for (let i = 0; i < load.length; i++) {
    const due = began + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const start = performance.now();
    inflight.push(
      send(load[i] as Delivery).then(
        (status) => {
          ms.push(performance.now() - start);
          statuses[status] = (statuses[status] ?? 0) + 1;
        },
        () => {
          errors += 1;
        },
      ),
    );
  }
  await Promise.all(inflight);
  const seconds = (performance.now() - began) / 1000;
  await pool.close();
  return { sent: load.length, errors, statuses, ms, rate: load.length / seconds, bytes: load[0]?.body.length ?? 0 };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

// ── 2. burst ────────────────────────────────────────────────────────────────

interface BurstResult {
  sendMs: number;
  syncs: number;
  liveMs: number;
}

async function burst(): Promise<BurstResult[]> {
  const instance = newInstance("bw");
  const docker = createDockerHosts(testbedHosts());
  const repo = smallRepo({ replicas: 2 });
  const [proxyPort, httpPort] = [await freePort(), await freePort()];
  repo.edit("dockhand.yaml", (t) => t.replace("listen: 127.0.0.1:8080", `listen: 127.0.0.1:${proxyPort}`));
  repo.push("bench proxy port");
  const serve = startDockhand(["serve"], {
    DOCKHAND_REPO: repo.remote,
    DOCKHAND_GITHUB_REPO: REPOSITORY,
    DOCKHAND_WEBHOOK_SECRET: SECRET,
    DOCKHAND_STATE_DIR: `${repo.root}/state`,
    DOCKHAND_HTTP_PORT: String(httpPort),
    DOCKHAND_INSTANCE: instance,
    DOCKHAND_POLL_INTERVAL: "0",
    REDIS_URL: "",
  });
  const live = async (sha: string) => {
    const observed = await docker.observe(instance);
    const web = observed.hosts
      .flatMap((h) => h.containers)
      .filter((c) => c.app === "web" && c.state === "running" && c.retiredAt === undefined);
    return web.length === 2 && web.every((c) => c.commit === sha);
  };
  const until = async (check: () => Promise<boolean> | boolean, what: string) => {
    const deadline = Date.now() + 120_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  };
  const results: BurstResult[] = [];
  try {
    await until(() => live(git(repo.work, "rev-parse", "HEAD")), "the first deploy");
    for (let run = 0; run < BURST_RUNS; run++) {
      const base = git(repo.work, "rev-parse", "HEAD");
      for (let i = 1; i <= BURST; i++) {
        repo.edit("apps/web.yaml", (t) => t.replace(/GREETING: .*/, `GREETING: run${run}-${i}`));
        git(repo.work, "commit", "--quiet", "-am", `burst ${run}/${i}`);
      }
      git(repo.work, "push", "--quiet", "origin", "main");
      const shas = git(repo.work, "rev-list", "--reverse", `${base}..HEAD`).split("\n");
      const bodies = shas.map((sha, i) => {
        const body = JSON.stringify(pushPayload(REPOSITORY, "refs/heads/main", sha));
        const headers = {
          "content-type": "application/json",
          "x-github-event": "push",
          "x-github-delivery": `burst-${run}-${i}`,
          "x-hub-signature-256": sign(SECRET, body),
        };
        return { body, headers };
      });
      const mark = serve.lines.length;
      const began = performance.now();
      for (const d of bodies) {
        await fetch(`http://127.0.0.1:${httpPort}/webhooks/github`, { method: "POST", ...d }).then((r) => r.text());
      }
      const sendMs = performance.now() - began;
      await until(() => live(shas.at(-1) ?? ""), "the last commit to be live");
      const liveMs = performance.now() - began;
      await sleep(1_500);
      const syncs = serve.lines.slice(mark).filter((l) => l.msg === "sync started").length;
      results.push({ sendMs, syncs, liveMs });
      console.log(
        `burst ${run + 1}: 50 pushes sent in ${sendMs.toFixed(0)} ms, ${syncs} syncs, last commit live after ${liveMs.toFixed(0)} ms`,
      );
    }
  } finally {
    await serve.stop();
    await cleanUp(instance, docker);
    await docker.close();
  }
  return results;
}

// ── report ──────────────────────────────────────────────────────────────────

function machine(): string {
  const cpus = os.cpus();
  return (
    `${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown CPU"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ` +
    `Node ${process.version}; load average ${os.loadavg()[0]?.toFixed(1) ?? "?"} when the run started`
  );
}

function section(onMachine: string, ack: AckResult, bursts: BurstResult[] | string): string {
  const sorted = [...ack.ms].sort((a, b) => a - b);
  const f = (n: number) => `${n.toFixed(2)} ms`;
  const p99 = percentile(sorted, 99);
  const codes = Object.entries(ack.statuses)
    .map(([code, n]) => `${n}×${code}`)
    .join(", ");
  const lines = [
    "## Webhooks and queue",
    "",
    "`npx tsx bench/webhook.ts`. Ack latency: the HTTP app of `dockhand serve` (signature check on the raw",
    "body, classification, the sync queue's Redis round trips: delivery dedupe, newest-request record,",
    "BullMQ add with per-environment deduplication) in a child process, on a redis-server of its own;",
    `${RATE} signed real push payloads (${ack.bytes} B, each a new X-GitHub-Delivery) per second for ${SECONDS} s,`,
    "sent open loop over 16 keep-alive connections, after a warm-up. Burst: `dockhand serve` on the test bed",
    `(web, 2 replicas on two engines) gets ${BURST} pushes of ${BURST} new commits, sent one after another by one client;`,
    "counted are the syncs that ran and the time from the first push until both replicas run the last commit.",
    "",
    `Machine: ${onMachine}. Timings on a shared machine vary from run to run.`,
    "",
    "| ack latency | p50 | p90 | p99 | max | requests | rate | answers | |",
    "|---|---|---|---|---|---|---|---|---|",
    `| 200 req/s, valid signatures | ${f(percentile(sorted, 50))} | ${f(percentile(sorted, 90))} | ${f(p99)} | ${f(sorted.at(-1) ?? Number.NaN)} | ${ack.sent} (${ack.errors} errors) | ${ack.rate.toFixed(0)}/s | ${codes} | ${p99 < 20 ? "meets" : "MISSES"} goal p99 < 20 ms |`,
    "",
  ];
  if (typeof bursts === "string") return [...lines, bursts, ""].join("\n");
  return [
    ...lines,
    `| burst of ${BURST} pushes | sent within | syncs run | last commit live after | |`,
    "|---|---|---|---|---|",
    ...bursts.map(
      (b, i) =>
        `| run ${i + 1} | ${b.sendMs.toFixed(0)} ms | ${b.syncs} | ${(b.liveMs / 1000).toFixed(1)} s | ${b.syncs <= 2 ? "meets" : "MISSES"} goal ≤ 2 syncs |`,
    ),
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  const serveAt = process.argv.indexOf("--serve");
  if (serveAt > 0) return serveOnly(`redis+unix://${process.argv[serveAt + 1]}`);
  const onMachine = machine();
  const dir = mkdtempSync(join(os.tmpdir(), "dockhand-bench-redis-"));
  const redis = await startRedis(dir);
  const server = await startServer(redis.socket);
  let ack: AckResult;
  try {
    ack = await ackLatency(server.port);
  } finally {
    server.child.kill();
    redis.child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  const sorted = [...ack.ms].sort((a, b) => a - b);
  console.log(
    `ack latency at ${ack.rate.toFixed(0)} req/s: p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms, max ${(sorted.at(-1) ?? 0).toFixed(2)} ms, ${ack.errors} errors`,
  );
  const bursts = existsSync(TESTBED_ENV_FILE)
    ? await burst()
    : "The burst needs the test bed (bash scripts/testbed/up.sh); it was not up for this run.";
  console.log(`wrote ${writeBenchmarkSection("Webhooks and queue", section(onMachine, ack, bursts))}`);
}

await main();
