/**
 * Timings of the Docker adapter against the test bed; prints numbers, asserts
 * nothing. Run: npx tsx test/integration/docker/measure-docker.ts [rounds]
 */
import { performance } from "node:perf_hooks";
import { DockerHosts } from "../../../src/docker/index.js";
import { testbedHosts } from "../../support/testbed.js";
import { appContext, appSpec, cleanupRun, newRunId, rawEngines } from "./docker-fixtures.js";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

function report(what: string, samples: number[]): void {
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  console.log(
    `${what.padEnd(40)} median ${ms(median(samples))}  min ${ms(Math.min(...samples))}  max ${ms(Math.max(...samples))}  (n=${samples.length})`,
  );
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 10);
  const runId = newRunId();
  const hosts = new DockerHosts(testbedHosts());
  try {
    const builds: number[] = [];
    const ships: number[] = [];
    const image = `dockhand-test/app:${runId}`;
    for (let i = 0; i < Math.max(3, Math.floor(rounds / 2)); i++) {
      // A fresh tag each round misses the cache for the tag only; layers are cached like a rebuild of an unchanged context.
      builds.push(
        await timed(() =>
          hosts.build("alpha", `${image}-${i}`, appContext(`${runId}-${i}`), "Dockerfile", () => undefined),
        ),
      );
    }
    await hosts.build("alpha", image, appContext(runId), "Dockerfile", () => undefined);
    for (let i = 0; i < Math.max(3, Math.floor(rounds / 2)); i++) {
      await rawEngines()
        .beta.getImage(image)
        .remove({ force: true })
        .catch(() => undefined);
      ships.push(await timed(() => hosts.ship(image, "alpha", "beta")));
    }
    report("build (busybox app, alpha)", builds);
    report("ship alpha -> beta (save | load)", ships);
    for (const host of ["alpha", "beta"]) {
      const runs: number[] = [];
      for (let i = 0; i < rounds; i++)
        runs.push(await timed(() => hosts.run(host, appSpec(runId, image, { slot: i }))));
      report(`run = create+start+inspect (${host})`, runs);
    }
    const inspect: number[] = [];
    for (let i = 0; i < rounds; i++) inspect.push(await timed(() => hosts.observe(runId)));
    report("observe both hosts", inspect);
  } finally {
    await hosts.close();
    await cleanupRun(runId);
    // The per-round tags carry their own run ids in their labels.
    for (let i = 0; i < Math.max(3, Math.floor(rounds / 2)); i++) await cleanupRun(`${runId}-${i}`);
  }
}

await main();
