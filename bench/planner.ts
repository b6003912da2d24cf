/**
 * Planner benchmark (issue 3): `npx tsx bench/planner.ts`.
 *
 * Plans synthetic worlds and prints the median wall time over several runs
 * and the peak RSS of a process that only builds the inputs and plans them;
 * then writes the numbers, with the machine, into the "Planner" section of
 * docs/benchmarks.md. Each scenario runs in its own child process so one's
 * memory does not inflate another's peak.
 *
 * Goals: 10,000 apps x 5 replicas on 200 hosts with 30% of specs changed in
 * under 1 s and 400 MB; 100 apps on 4 hosts in under 10 ms.
 */
import { spawnSync } from "node:child_process";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type {
  AppRoute,
  AppSpec,
  DesiredState,
  HostSpec,
  ObservedContainer,
  ObservedState,
} from "../src/model/index.js";
import { containerName } from "../src/model/index.js";
import { plan, planToJson, renderPlanText } from "../src/planner/index.js";
import { writeBenchmarkSection } from "./write-benchmark-section.js";

interface Scenario {
  name: string;
  title: string;
  apps: number;
  replicas: number;
  hosts: number;
  /** Share of apps whose spec changed since what runs. */
  changed: number;
  /** Nothing runs yet: every slot is placed (the placement-heavy case). */
  fresh?: boolean;
  runs: number;
  goal?: { ms: number; mb?: number };
}

const SCENARIOS: Scenario[] = [
  {
    name: "large",
    title: "10,000 apps x 5 replicas, 200 hosts, 30% changed",
    apps: 10_000,
    replicas: 5,
    hosts: 200,
    changed: 0.3,
    runs: 9,
    goal: { ms: 1000, mb: 400 },
  },
  {
    name: "small",
    title: "100 apps x 3 replicas, 4 hosts, 30% changed",
    apps: 100,
    replicas: 3,
    hosts: 4,
    changed: 0.3,
    runs: 201,
    goal: { ms: 10 },
  },
  {
    name: "fresh",
    title: "10,000 apps x 5 replicas, 200 hosts, nothing running yet",
    apps: 10_000,
    replicas: 5,
    hosts: 200,
    changed: 0,
    fresh: true,
    runs: 9,
  },
];

interface Result {
  name: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** RSS once the inputs are built, before planning. */
  inputRssMb: number;
  /** Peak RSS of a process that builds the inputs and plans once, as a sync does. */
  peakRssMb: number;
  /** Peak RSS of the process that ran every timed plan (two plans alive at once: the last and the next). */
  loopPeakRssMb: number;
  renderTextMs: number;
  toJsonMs: number;
  containers: number;
  steps: number;
}

function world(s: Scenario): { desired: DesiredState; observed: ObservedState } {
  const hosts: HostSpec[] = Array.from({ length: s.hosts }, (_, i) => ({
    name: `host-${String(i).padStart(3, "0")}`,
    docker: `tcp://10.1.${i >> 8}.${i & 255}:2376`,
    address: `10.1.${i >> 8}.${i & 255}`,
    bind: `10.1.${i >> 8}.${i & 255}`,
    capacity: Math.ceil(((s.apps * s.replicas) / s.hosts) * 1.6),
    labels: { zone: i % 2 === 0 ? "a" : "b" },
  }));
  const apps: AppSpec[] = [];
  const containers = new Map<string, ObservedContainer[]>(hosts.map((h) => [h.name, []]));
  const images = new Map<string, Set<string>>(hosts.map((h) => [h.name, new Set()]));
  const routes: AppRoute[] = [];
  const changedEvery = s.changed > 0 ? Math.round(1 / s.changed) : 0;
  for (let a = 0; a < s.apps; a++) {
    const name = `app-${String(a).padStart(5, "0")}`;
    const isChanged = changedEvery > 0 && a % 10 < s.changed * 10;
    const version = isChanged ? 2 : 1;
    apps.push(appSpec(name, version, s.replicas));
    if (s.fresh) continue;
    const route: AppRoute = { app: name, env: "production", hostnames: [`${name}.example.com`], upstreams: [] };
    for (let slot = 0; slot < s.replicas; slot++) {
      const host = hosts[(a * s.replicas + slot) % s.hosts] as HostSpec;
      const c = running(name, slot, host.name);
      containers.get(host.name)?.push(c);
      images.get(host.name)?.add(c.image);
      route.upstreams.push({
        host: host.name,
        address: host.address,
        port: c.hostPort ?? 0,
        container: c.name,
        state: "active",
      });
    }
    routes.push(route);
  }
  const desired: DesiredState = {
    source: { repo: "bench", sha: "0".repeat(40) },
    hosts,
    proxy: { driver: "builtin", listen: "0.0.0.0:8080" },
    apps,
  };
  const observed: ObservedState = {
    hosts: hosts.map((h) => ({
      name: h.name,
      reachable: true,
      containers: containers.get(h.name) ?? [],
      images: [...(images.get(h.name) ?? [])],
    })),
    routes: { version: 1, routes },
  };
  return { desired, observed };
}

function appSpec(name: string, version: number, replicas: number): AppSpec {
  return {
    name,
    env: "production",
    file: `apps/${name}.yaml`,
    image: `registry.example.com/${name}:${version}`,
    replicas,
    port: 8080,
    hostnames: [`${name}.example.com`],
    environment: { GREETING: "hello" },
    specFields: { image: `${version}`, port: "8080", "env.GREETING": "hello" },
    health: { path: "/healthz", timeoutMs: 2000, withinMs: 60_000 },
    rollout: { batch: 1, drainMs: 10_000 },
    placement: {},
    specHash: `${name}-spec-v${version}`,
  };
}

function running(app: string, slot: number, host: string): ObservedContainer {
  const specHash = `${app}-spec-v1`;
  const name = containerName(app, "production", slot, specHash);
  return {
    id: `${host}-${name}`,
    name,
    host,
    app,
    env: "production",
    slot,
    specHash,
    commit: "c0ffee",
    image: `registry.example.com/${app}:1`,
    state: "running",
    health: "healthy",
    hostPort: 20_000 + slot,
    createdAt: 1_700_000_000_000,
  };
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const timed = (fn: () => unknown) => {
  const start = performance.now();
  fn();
  return performance.now() - start;
};

/** Builds the inputs and plans once: the memory a sync of this size needs. */
function planOnce(s: Scenario): Pick<Result, "inputRssMb" | "peakRssMb"> {
  const { desired, observed } = world(s);
  const inputRssMb = mb(process.memoryUsage().rss);
  plan(desired, observed);
  return { inputRssMb, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
}

function runScenario(s: Scenario): Result {
  const { desired, observed } = world(s);
  const times: number[] = [];
  // Collect between runs, outside the timed part, so one run does not pay for another's garbage
  // (a worker plans once per sync, with idle time between).
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  let last = plan(desired, observed);
  for (let i = 0; i < s.runs; i++) {
    gc();
    times.push(timed(() => (last = plan(desired, observed))));
  }
  times.sort((a, b) => a - b);
  const result: Result = {
    name: s.name,
    medianMs: times[Math.floor(times.length / 2)] ?? 0,
    minMs: times[0] ?? 0,
    maxMs: times[times.length - 1] ?? 0,
    inputRssMb: 0,
    peakRssMb: 0,
    loopPeakRssMb: 0,
    renderTextMs: timed(() => renderPlanText(last, { color: false })),
    toJsonMs: timed(() => JSON.stringify(planToJson(last))),
    containers: observed.hosts.reduce((n, h) => n + h.containers.length, 0),
    steps: last.changes.reduce((n, c) => n + c.steps.length, 0),
  };
  result.loopPeakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  return result;
}

function child<T>(s: Scenario, mode: "--time" | "--once"): T {
  const self = fileURLToPath(import.meta.url);
  const run = spawnSync(process.execPath, ["--expose-gc", ...process.execArgv, self, mode, s.name], {
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`scenario ${s.name} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").pop() ?? "") as T;
}

function runInChildren(s: Scenario): Result {
  return { ...child<Result>(s, "--time"), ...child<Pick<Result, "inputRssMb" | "peakRssMb">>(s, "--once") };
}

function machine(): string {
  const cpus = os.cpus();
  const load = os.loadavg()[0]?.toFixed(1) ?? "?";
  return (
    `${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown CPU"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ` +
    `${os.type()} ${os.release()}, Node ${process.version}; load average ${load} when the run started`
  );
}

function verdict(s: Scenario, r: Result): string {
  if (!s.goal) return "(for reference)";
  const timeOk = r.medianMs < s.goal.ms;
  const memOk = s.goal.mb === undefined || r.peakRssMb < s.goal.mb;
  const goal = `goal < ${s.goal.ms} ms${s.goal.mb ? ` and < ${s.goal.mb} MB` : ""}`;
  return `${timeOk && memOk ? "meets" : "MISSES"} ${goal}`;
}

function section(results: Array<{ s: Scenario; r: Result }>, onMachine: string): string {
  const rows = results.map(({ s, r }) => {
    const ms = (n: number) => n.toFixed(s.name === "small" ? 2 : 0);
    const time = `${ms(r.medianMs)} ms (${ms(r.minMs)}–${ms(r.maxMs)}, ${s.runs} runs)`;
    const rss = `${r.peakRssMb} MB (inputs ${r.inputRssMb} MB; timing process ${r.loopPeakRssMb} MB)`;
    const render = `${r.renderTextMs.toFixed(0)} ms / ${r.toJsonMs.toFixed(0)} ms`;
    const counts = `${r.containers.toLocaleString("en")} | ${r.steps.toLocaleString("en")}`;
    return `| ${s.title} | ${counts} | ${time} | ${rss} | ${render} | ${verdict(s, r)} |`;
  });
  return [
    "## Planner",
    "",
    "`npx tsx bench/planner.ts` plans synthetic worlds (every host reachable, routes known, one hostname per",
    "app; a changed app gets a new image, so it plans a pull and a rolling replace). Wall time is `plan()`",
    "alone, after one warm-up run, with a garbage collection between runs (outside the timing); rendering",
    "the whole plan as text and as JSON is timed once, separately.",
    "Peak RSS is that of a fresh process that builds the inputs and plans once, as a sync does (inputs",
    "included); the peak of the process that ran the timed runs is shown alongside.",
    "",
    `Machine: ${onMachine}. Timings on a shared machine vary from run to run; the load average says how busy it was.`,
    "",
    "| scenario | containers observed | steps planned | plan(), median (min–max) | peak RSS | text / JSON render | |",
    "|---|---|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}

function main(): void {
  const mode = process.argv.find((a) => a === "--time" || a === "--once");
  if (mode) {
    const name = process.argv[process.argv.indexOf(mode) + 1];
    const s = SCENARIOS.find((x) => x.name === name);
    if (!s) throw new Error(`unknown scenario ${name}`);
    console.log(JSON.stringify(mode === "--time" ? runScenario(s) : planOnce(s)));
    return;
  }
  const onMachine = machine();
  const results = SCENARIOS.map((s) => {
    const r = runInChildren(s);
    console.log(
      `${s.title}: median ${r.medianMs.toFixed(2)} ms (min ${r.minMs.toFixed(2)}, max ${r.maxMs.toFixed(2)}, ${s.runs} runs), ` +
        `peak RSS ${r.peakRssMb} MB planning once (inputs ${r.inputRssMb} MB; ${r.loopPeakRssMb} MB in the timing process), ` +
        `${r.steps} steps; ${verdict(s, r)}`,
    );
    return { s, r };
  });
  console.log(`machine: ${onMachine}`);
  console.log(`wrote ${writeBenchmarkSection("Planner", section(results, onMachine))}`);
}

main();
