/**
 * How a built image reaches a second host (issue 4, "Images"): streamed engine
 * to engine (save ─▶ load) against pushed once to a registry and pulled
 * (`registry:` in dockhand.yaml), on the test bed's two engines and registry.
 * Each round builds an image whose last layer is new (random bytes), so
 * neither the registry nor beta has it: the cost of a fresh build.
 *
 *   npx tsx bench/images.ts [--rounds 5] [--mb 8]
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { Readable } from "node:stream";
import Docker from "dockerode";
import { pack } from "tar-stream";
import { createDockerHosts, type DockerHosts } from "../src/docker/index.js";
import { testbed, testbedHosts, testbedRegistry } from "../test/support/testbed.js";
import { writeBenchmarkSection } from "./write-benchmark-section.js";

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const rounds = flag("rounds", 5);
const megabytes = flag("mb", 8);
const registry = testbedRegistry();
const quiet = () => undefined;

async function timed(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** An image on alpha with a fresh `megabytes` layer on top of busybox:stable. */
async function freshImage(docker: DockerHosts, tag: string): Promise<void> {
  const tar = pack();
  const seed = randomBytes(8).toString("hex");
  tar.entry(
    { name: "Dockerfile" },
    `FROM busybox:stable\nRUN echo ${seed} > /seed && head -c ${megabytes * 1024 * 1024} /dev/urandom > /blob\n`,
  );
  tar.finalize();
  await docker.build("alpha", tag, Readable.from(tar), "Dockerfile", quiet);
}

async function removeImage(engine: Docker, tag: string): Promise<void> {
  await engine
    .getImage(tag)
    .remove({ force: true })
    .catch(() => undefined);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const docker = createDockerHosts(testbedHosts(), {
    env: { ...process.env, DOCKHAND_REGISTRY_AUTH: registry.authFile },
  }) as DockerHosts;
  const socket = (endpoint: string) => endpoint.replace(/^unix:\/\//, "");
  const alpha = new Docker({ socketPath: socket(testbed().alpha) });
  const beta = new Docker({ socketPath: socket(testbed().betaSocket) });
  const ship: number[] = [];
  const push: number[] = [];
  const pull: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const id = randomBytes(4).toString("hex");
      const local = `dockhand-bench/images:${id}`;
      await freshImage(docker, local);
      ship.push(await timed(() => docker.ship(local, "alpha", "beta")));
      await removeImage(beta, local);

      const remote = `${registry.address}/dockhand-bench/images:${id}`;
      await freshImage(docker, remote);
      push.push(await timed(() => docker.push("alpha", remote, quiet)));
      pull.push(await timed(() => docker.pull("beta", remote, quiet)));
      for (const tag of [local, remote]) {
        await removeImage(alpha, tag);
        await removeImage(beta, tag);
      }
    }
  } finally {
    await docker.close();
  }
  const row = (name: string, values: number[]) =>
    `| ${name} | ${Math.round(median(values))} ms | ${values.map((v) => Math.round(v)).join(" / ")} |`;
  const both = push.map((p, i) => p + (pull[i] ?? 0));
  const load = os.loadavg()[0]?.toFixed(1);
  const text = [
    "## Images",
    "",
    "`npx tsx bench/images.ts [--rounds 5] [--mb 8]`: a built image reaching the second host, on the test",
    `bed's two engines and its registry (127.0.0.1:5000, htpasswd, plain HTTP). Each round builds an image whose`,
    `top layer is ${megabytes} MB of fresh random bytes (neither beta nor the registry has it), so this is what`,
    "a changed build costs; busybox's base layer is on both engines already. Written by the script.",
    "",
    `Machine: ${os.cpus().length} cores, Node ${process.version}; load average ${load} at the end. ${rounds} rounds.`,
    "",
    "| alpha ─▶ beta | median | every round |",
    "|---|---:|---|",
    row("ship (save ─▶ load, streamed)", ship),
    row("registry: push from alpha", push),
    row("registry: pull on beta", pull),
    row("registry: push + pull", both),
    "",
    "- With a registry a build is pushed once however many hosts pull it; shipping streams the whole image",
    "  once per host. On one machine the registry path writes the layer twice more (into the registry, out",
    "  of it); across a network, hosts pulling in parallel from a registry near them is the point.",
    "",
  ].join("\n");
  writeBenchmarkSection("Images", text);
  process.stdout.write(`${text}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
