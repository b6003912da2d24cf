/**
 * Deploy repo YAML as an attacker would push it, through the real git remote,
 * the deploy repo reading that serve composes (SourceReadingRepo: build
 * sources are listed before validation), the real sync worker on the test
 * bed's Redis and the parse thread. Each file is a config error after one
 * attempt, within seconds, and nothing reaches the hosts.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts } from "../../src/docker/index.js";
import { openRepo, SourceRepositories } from "../../src/git/index.js";
import { RedisRouteStore } from "../../src/proxy/index.js";
import { SyncQueue } from "../../src/worker/queue/sync-queue.js";
import { SyncWorker } from "../../src/worker/queue/sync-worker.js";
import { SourceReadingRepo } from "../../src/worker/sync/source-reading-repo.js";
import {
  cleanUp,
  connect,
  finished,
  newInstance,
  queuePrefix,
  testbedDocker,
} from "../integration/queue/queue-fixtures.js";
import { createDeployRepo, type TestDeployRepo } from "../support/deploy-repo.js";
import { containersOf } from "../support/instance-containers.js";
import { testbed } from "../support/testbed.js";

/** `a: &a x`, then `K1: *a` … until the file is `bytes` long: the finding's 95 kB file has about 9700. */
function aliasFlood(bytes: number): string {
  const lines = ["a: &a x"];
  for (let i = 1, size = 8; size < bytes; i++) {
    lines.push(`K${i}: *a`);
    size += `K${i}: *a\n`.length;
  }
  return `${lines.join("\n")}\n`;
}

/** A valid app but for one unknown key holding a map of distinct keys: the parser's duplicate check compares each with every earlier one. */
function manyKeys(count: number): string {
  const keys = Array.from({ length: count }, (_, i) => `  K${i}: v`).join("\n");
  return `name: x\nimage: busybox:stable\nport: 8080\nx-keys:\n${keys}\n`;
}

const LAUGHS = [
  "name: x",
  "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]",
  ..."bcdefgh".split("").map((n, i) => `${n}: &${n} [${Array(10).fill(`*${"abcdefg"[i]}`).join(", ")}]`),
  `env: [${Array(10).fill("*h").join(", ")}]`,
  "",
].join("\n");

const CASES = [
  {
    name: "a 95 kB file of aliases to one anchor",
    yaml: aliasFlood(95_000),
    problem: "apps/x.yaml:102:7 this is alias (*name) number 101 in the file; a file may have at most 100",
  },
  {
    name: "aliases of aliases that expand to 10^9 values (billion laughs)",
    yaml: LAUGHS,
    problem: "apps/x.yaml:5:36 the aliases up to here copy more than 10000 values",
  },
  {
    name: "a map of 60000 keys",
    yaml: manyKeys(60_000),
    problem: "apps/x.yaml:4:1 x-keys: unknown key",
  },
  {
    name: "flow lists nested a million deep",
    yaml: `name: x\nenv: ${"[".repeat(990_000)}\n`,
    problem: "apps/x.yaml:2:70 maps and lists nest deeper than 64 levels here",
  },
  {
    name: "an alias inside the value it names",
    yaml: "name: x\nimage: busybox:stable\nport: 8080\nenv: &e { A: *e }\n",
    problem: "apps/x.yaml:4:14 *e stands for the value that contains it",
  },
  {
    name: "a file over 1 MB",
    yaml: `name: x\nimage: busybox:stable\nport: 8080\n#${"x".repeat(1_100_000)}\n`,
    problem: "apps/x.yaml:1:1 the file is 1.1 MB (1100043 bytes); a deploy repo file may be at most 1 MB",
  },
];

/** Well under what each took before (a minute for the aliases, tens of seconds for the keys), with room for a loaded machine. */
const JOB_LIMIT_MS = 15_000;

let repo: TestDeployRepo;
let instance: string;
let queue: SyncQueue;
let worker: SyncWorker;
let routes: RedisRouteStore;
let cacheDir: string;
const docker = testbedDocker();

beforeAll(async () => {
  repo = createDeployRepo();
  instance = newInstance("yaml");
  const prefix = queuePrefix(instance);
  cacheDir = mkdtempSync(join(tmpdir(), "dockhand-yaml-git-"));
  // As serve composes it: build sources are listed from the raw YAML before the parse validates it.
  const deployRepo = new SourceReadingRepo(
    await openRepo({ repo: repo.remote, branch: "main", cacheDir }),
    new SourceRepositories(cacheDir),
  );
  routes = new RedisRouteStore({ redis: connect(testbed().redisUrl), prefix: `dockhand:${instance}:` });
  queue = new SyncQueue(connect(testbed().redisUrl), prefix);
  const log = pino({ level: "silent" });
  worker = new SyncWorker({
    connection: connect(testbed().redisUrl),
    prefix,
    log,
    deps: { repo: deployRepo, routes, instance, log, dockerFor: (hosts) => createDockerHosts(hosts) },
  });
});

afterAll(async () => {
  await worker?.stop(0);
  await queue?.close();
  await routes?.close();
  await cleanUp(instance, docker);
  await docker.close();
  rmSync(cacheDir, { recursive: true, force: true });
  rmSync(repo.root, { recursive: true, force: true });
});

describe("hostile YAML pushed to the deploy repo", () => {
  it.each(CASES)("$name: a config error after one attempt, nothing on the hosts", async ({ yaml, problem }) => {
    writeFileSync(join(repo.work, "apps", "x.yaml"), yaml);
    const sha = repo.push("hostile apps/x.yaml");
    const { jobId } = await queue.enqueue({ trigger: "push", env: "production", sha });
    const job = await finished(queue, jobId);

    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toContain(problem);
    expect(job.failedReason).toMatch(/^invalid deploy repo \(1 problem\):/);
    expect((job.finishedOn ?? 0) - (job.processedOn ?? 0)).toBeLessThan(JOB_LIMIT_MS);
    expect(await containersOf(docker, instance)).toEqual([]);
  });
});
