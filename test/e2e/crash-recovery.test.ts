/**
 * kill -9 of the worker running a rollout, at 10 points across start, health
 * wait, route swap, drain, stop and clean-up (issue 6). Two `dockhand worker`
 * processes share one Redis; the one running the sync is killed when its log
 * shows the chosen step, a fresh one replaces it, and the survivor takes the
 * stalled job over once its lock expires. Every time the system must converge
 * to the pushed commit: exactly the desired replicas, running and healthy, no
 * other live container, and a route to exactly those containers.
 */
import { execFileSync } from "node:child_process";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanUp,
  containersOf,
  newInstance,
  pushGreeting,
  smallRepo,
  testbedDocker,
} from "../integration/queue/queue-fixtures.js";
import type { TestDeployRepo } from "../support/deploy-repo.js";
import { testbedHosts } from "../support/testbed.js";
import { startWorkerPair, type WorkerPair } from "../support/worker-pair.js";

const instance = newInstance("cr");
const docker = testbedDocker();
const REPLICAS = 2;
const ADDRESS = new Map(testbedHosts().map((h) => [h.name, h.address]));

/** The n-th step of a kind, as it starts or once it is done: where the worker dies. */
const KILL_POINTS: Array<{ kind: string; nth: number; phase: "start" | "done" }> = [
  { kind: "start", nth: 1, phase: "start" },
  { kind: "start", nth: 1, phase: "done" },
  { kind: "waitHealthy", nth: 1, phase: "start" },
  { kind: "routeIn", nth: 1, phase: "done" },
  { kind: "routeOut", nth: 1, phase: "start" },
  { kind: "drain", nth: 1, phase: "start" },
  { kind: "stop", nth: 1, phase: "start" },
  { kind: "stop", nth: 1, phase: "done" },
  { kind: "waitHealthy", nth: 2, phase: "start" },
  { kind: "drain", nth: 2, phase: "start" },
];

let repo: TestDeployRepo;
let pair: WorkerPair;
const recoveries: string[] = [];

async function healthy(host: string, port: number): Promise<boolean> {
  try {
    const res = await request(`http://${ADDRESS.get(host)}:${port}/healthz`, { headersTimeout: 2_000 });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}

/** What is wrong with the world, or "" once it is the desired state at `sha`. */
async function divergence(sha: string): Promise<string> {
  const busy = await pair.queueBusy();
  if (busy) return busy;
  const web = (await containersOf(docker, instance)).filter((c) => c.app === "web");
  const live = web.filter((c) => c.retiredAt === undefined);
  const wrong = live.filter((c) => c.state !== "running" || c.commit !== sha);
  if (live.length !== REPLICAS || wrong.length > 0) {
    return `live containers: ${live.map((c) => `${c.name} ${c.state} ${c.commit.slice(0, 7)}`).join(", ")}`;
  }
  if (new Set(live.map((c) => c.slot)).size !== REPLICAS) return "two containers claim one slot";
  if (web.some((c) => c.retiredAt !== undefined && c.state === "running")) return "a retired container runs";
  const route = (await pair.routes.load()).routes.find((r) => r.app === "web" && r.env === "production");
  const upstreams = (route?.upstreams ?? []).map((u) => `${u.container}:${u.port}:${u.state}`).sort();
  const expected = live.map((c) => `${c.name}:${c.hostPort}:active`).sort();
  if (upstreams.join() !== expected.join()) return `route ${upstreams.join()} ≠ containers ${expected.join()}`;
  for (const c of live) if (!(await healthy(c.host, c.hostPort ?? 0))) return `${c.name} is not healthy`;
  return "";
}

const converge = (sha: string) => pair.converge(`convergence at ${sha.slice(0, 7)}`, () => divergence(sha));

beforeAll(async () => {
  repo = smallRepo({ replicas: REPLICAS, drain: "500ms" });
  pair = await startWorkerPair({ remote: repo.remote, root: repo.root, instance });
  const seeded = (await pair.queue.enqueue({ trigger: "startup", env: "production" })).jobId;
  expect(seeded).not.toBe("");
  await converge(execFileSync("git", ["rev-parse", "HEAD"], { cwd: repo.work, encoding: "utf8" }).trim());
});

afterAll(async () => {
  for (const line of recoveries) console.log(`[crash] ${line}`);
  await pair?.close();
  await cleanUp(instance, docker);
  await docker.close();
});

describe("kill -9 of the worker running a rollout", () => {
  it.each(KILL_POINTS.map((p, i) => [i + 1, p] as const))(
    "point %i (%o): the survivor takes over and the system converges",
    async (point, { kind, nth, phase }) => {
      const sha = pushGreeting(repo, `crash-${point}`);
      const marks = pair.workers.map((w) => w.lines.length);
      await pair.queue.enqueue({ trigger: "push", env: "production", sha });
      const victim = await pair.stepSeen({ kind, nth, phase }, marks);
      const killedAt = Date.now();
      pair.replace(victim);
      await converge(sha);
      // The recovery was a takeover by another process, and this is what it did.
      const after = pair.workers.flatMap((w) => w.lines.filter((l) => Number(l.time) >= killedAt));
      expect(after.some((l) => l.msg === "sync started" && l.sha === sha)).toBe(true);
      const steps = after
        .filter((l) => l.msg === "rollout step" && l.phase === "start")
        .map((l) => String(l.step).split(" ")[0]);
      recoveries.push(`point ${point} (${kind} #${nth} ${phase}): recovery ran ${steps.join(", ") || "no steps"}`);
    },
  );
});
