/**
 * How long `dockhand` takes to start, as a whole process (Node's own start
 * included): `--help` and `validate` of deploy-repo-example, compiled (dist/,
 * as installed from the package) and from source (a clone without a build,
 * through tsx), next to `node -e 0` measured in the same rounds. Each round
 * runs every command once, in turn, so a busy moment of the machine falls on
 * all of them alike. Builds dist/ first.
 *
 *   npm run bench:cli [-- --rounds 10] [-- --before <checkout>]
 *
 * --before adds the compiled CLI of another checkout (built there already),
 * say main before a change, to the same rounds.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { writeBenchmarkSection } from "./write-benchmark-section.js";

const ROOT = join(import.meta.dirname, "..");
const BIN = join(ROOT, "bin", "dockhand.js");
const EXAMPLE = join(ROOT, "deploy-repo-example");
const GOAL_MS = 150;

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

interface Target {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** Compared with the bare node start-up against GOAL_MS. */
  goal?: boolean;
}

const FROM_SOURCE = { DOCKHAND_FROM_SOURCE: "1" };
const TARGETS: Target[] = [
  { name: "`node -e 0` (bare Node)", args: ["-e", "0"] },
  { name: "`dockhand --help`, compiled", args: [BIN, "--help"], goal: true },
  { name: "`dockhand validate`, compiled", args: [BIN, "validate", "--repo", EXAMPLE] },
  { name: "`dockhand --help`, from source (tsx)", args: [BIN, "--help"], env: FROM_SOURCE },
  { name: "`dockhand validate`, from source (tsx)", args: [BIN, "validate", "--repo", EXAMPLE], env: FROM_SOURCE },
];
const before = process.argv.indexOf("--before");
const BEFORE = before >= 0 ? process.argv[before + 1] : undefined;
if (BEFORE) {
  const bin = join(BEFORE, "bin", "dockhand.js");
  const rev = execFileSync("git", ["-C", BEFORE, "log", "-1", "--format=%h"], { encoding: "utf8" }).trim();
  TARGETS.push(
    { name: `\`dockhand --help\`, compiled, before (${rev})`, args: [bin, "--help"] },
    { name: `\`dockhand validate\`, compiled, before (${rev})`, args: [bin, "validate", "--repo", EXAMPLE] },
  );
}

const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** CPU time (user + system) of this process's children that have been waited for, in ms (/proc/self/stat). */
function childrenCpuMs(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  // Fields after the command name (which may hold spaces) start at field 3; cutime and cstime are fields 16 and 17.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond;
}

interface Sample {
  wallMs: number;
  cpuMs: number;
}

function runOnce(target: Target): Sample {
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  const result = spawnSync(process.execPath, target.args, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", ...target.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const wallMs = performance.now() - start;
  if (result.status !== 0) {
    throw new Error(`${target.name} exited ${result.status}: ${result.stderr.toString()}`);
  }
  return { wallMs, cpuMs: childrenCpuMs() - cpuBefore };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2
    ? (sorted[Math.floor(mid)] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const ms = (value: number) => `${Math.round(value)} ms`;

function row(target: Target, samples: Sample[], bare: { wall: number; cpu: number }): string {
  const walls = samples.map((s) => s.wallMs);
  const wall = median(walls);
  const cpu = median(samples.map((s) => s.cpuMs));
  const range = `${Math.round(Math.min(...walls))}–${Math.round(Math.max(...walls))}`;
  const over = target.args[0] === "-e" ? "" : `+${ms(wall - bare.wall)}`;
  const overCpu = target.args[0] === "-e" ? "" : `+${ms(cpu - bare.cpu)}`;
  const verdict = target.goal
    ? `${wall - bare.wall < GOAL_MS ? "meets" : "misses"} goal < ${GOAL_MS} ms over bare Node`
    : "";
  return `| ${target.name} | ${ms(wall)} (${range}) | ${over} | ${ms(cpu)} | ${overCpu} | ${verdict} |`;
}

function main(): void {
  const rounds = flag("rounds", 10);
  execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
  const loadBefore = os.loadavg()[0] ?? 0;
  // One unmeasured round: the first start of each reads its files from disk, and tsx fills its cache.
  for (const target of TARGETS) runOnce(target);
  const samples = TARGETS.map(() => [] as Sample[]);
  for (let round = 0; round < rounds; round++) {
    TARGETS.forEach((target, i) => {
      samples[i]?.push(runOnce(target));
    });
  }
  const loadAfter = os.loadavg()[0] ?? 0;
  const bareSamples = samples[0] ?? [];
  const bare = { wall: median(bareSamples.map((s) => s.wallMs)), cpu: median(bareSamples.map((s) => s.cpuMs)) };
  const rows = TARGETS.map((target, i) => row(target, samples[i] ?? [], bare));
  const text = `## CLI start-up

\`npm run bench:cli\` starts \`dockhand\` as a user does, a whole process each time: \`--help\`, and
\`validate\` of deploy-repo-example (read the directory, parse and check every file; the apps'
source repositories are listed in the YAML thread), compiled (\`dist/\`, as the package installs it) and from source (a clone without a build:
bin/dockhand.js registers tsx). Next to them, in the same rounds, \`node -e 0\`: Node's own start-up,
the floor. A command's modules load only when it runs (src/cli.ts), so \`--help\` loads commander and
cli.ts alone. Wall time and CPU time (user + system, from the kernel's count for waited-for
children) are medians of ${rounds} rounds, after one unmeasured round; each round runs every command once, in turn.${
    BEFORE
      ? "\nThe rows marked *before* are the compiled CLI of an earlier commit (`--before <checkout>`), in the same rounds."
      : ""
  }

Machine: ${os.cpus().length} cores, Node ${process.version}; load average ${loadBefore.toFixed(1)} when the run started, ${loadAfter.toFixed(1)} at the end. Timings on a shared machine vary from run to run; CPU time varies less than wall time.

| command | wall, median (min–max) | over bare Node | CPU, median | over bare Node | |
|---|---|---|---|---|---|
${rows.join("\n")}

- From source, tsx compiles each module on first load and caches it; a clone without a build pays that
  on every command, which is why bin/dockhand.js runs \`dist/\` once \`npm run build\` wrote it.
- \`validate\` beyond \`--help\` is mostly module loading: the config modules (zod, yaml) in the main
  thread, then again in the YAML thread, which boots while the main thread waits for the list of
  source repositories (src/worker/sync/source-reading-repo.ts). A CPU profile (\`node --cpu-prof\`)
  of one compiled run shows the main thread idle for about a third of it.
`;
  console.log(text);
  console.log(`written to ${writeBenchmarkSection("CLI start-up", text)}`);
}

main();
