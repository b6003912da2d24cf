/**
 * The deploy repo is parsed in the process that also runs the built-in proxy
 * (and the webhook receiver). Hostile or merely huge YAML is read in the parse
 * thread: the real BuiltinProxy, routing to a real loopback upstream in this
 * same process, keeps answering while it is read, and a read past the time
 * limit is stopped and becomes a config error naming the files.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDeployRepo } from "../../src/config/index.js";
import { ConfigError, formatConfigIssue, type RepoSnapshot } from "../../src/model/index.js";
import { BuiltinProxy } from "../../src/proxy/builtin-proxy.js";
import { ParseThread, type ParseThreadOptions, parseInThread } from "../../src/worker/sync/parse-in-thread.js";
import { send, silentLog, startUpstream, type TestUpstream } from "../integration/proxy/http-fixtures.js";
import { repoWith } from "../unit/config/deploy-repo-fixture.js";

/**
 * No request through the proxy may take longer than this while YAML is read.
 * Requests take about 10-25 ms here; on two shared cores scheduling alone has
 * shown single requests near 210 ms. A parse on the main thread holds one for
 * its whole length: seconds (the last test).
 */
const SLOWEST_MS = 250;

let upstream: TestUpstream;
let proxy: BuiltinProxy;
let port: number;

/** The finding's file: `a: &a x`, then `K1: *a` … `K9700: *a` (95 kB). */
function aliasFlood(): string {
  return `a: &a x\n${Array.from({ length: 9700 }, (_, i) => `K${i + 1}: *a`).join("\n")}\n`;
}

/** Valid apps of about 950 kB each (an env var per line): within every limit, and large once read. */
function hugeRepo(files: number): RepoSnapshot {
  const apps: Record<string, string> = {};
  for (let f = 0; f < files; f++) {
    const env = Array.from({ length: 80_000 }, (_, i) => `  K${i}: v`).join("\n");
    apps[`apps/big${f}.yaml`] = `name: big${f}\nimage: busybox:stable\nport: 8080\nenv:\n${env}\n`;
  }
  return repoWith(apps);
}

/** Valid apps of about 700 kB each, mostly comment lines: seconds to read, small once read. */
function commentedRepo(files: number): RepoSnapshot {
  const apps: Record<string, string> = {};
  for (let f = 0; f < files; f++) {
    const notes = Array.from({ length: 75_000 }, (_, i) => `# note ${i}`).join("\n");
    apps[`apps/big${f}.yaml`] = `name: big${f}\nimage: busybox:stable\nport: 8080\n${notes}\n`;
  }
  return repoWith(apps);
}

interface Served<T> {
  outcome: { value?: T; error?: unknown };
  ms: number;
  requests: number;
  slowestMs: number;
}

/** Runs `work` while a client keeps sending requests through the proxy, one after another, timing each. */
async function whileServing<T>(work: () => Promise<T> | T): Promise<Served<T>> {
  const latencies: number[] = [];
  let done = false;
  const client = (async () => {
    while (!done) {
      const started = performance.now();
      const reply = await send(port, "www.example.com");
      latencies.push(performance.now() - started);
      if (reply.status !== 200) throw new Error(`the proxy answered ${reply.status}`);
    }
  })();
  // The client has a request in flight before the work starts.
  await new Promise((resolve) => setImmediate(resolve));
  const started = performance.now();
  let outcome: Served<T>["outcome"];
  try {
    outcome = { value: await work() };
  } catch (error) {
    outcome = { error };
  }
  const ms = performance.now() - started;
  done = true;
  await client;
  return { outcome, ms, requests: latencies.length, slowestMs: Math.max(...latencies) };
}

/** A parse thread of its own, warm before `check` and able to read a valid repo after it. */
async function withThread(options: ParseThreadOptions, check: (thread: ParseThread) => Promise<void>): Promise<void> {
  const thread = new ParseThread(options);
  try {
    await thread.parse(repoWith({}));
    await check(thread);
    expect((await thread.parse(repoWith({}))).apps.map((app) => app.name)).toEqual(["web"]);
  } finally {
    await thread.close();
  }
}

function problemsOf(error: unknown): string[] {
  if (!(error instanceof ConfigError)) throw error;
  return error.issues.map(formatConfigIssue);
}

beforeAll(async () => {
  upstream = await startUpstream("web");
  proxy = new BuiltinProxy({ listen: { host: "127.0.0.1", port: 0 }, log: silentLog });
  proxy.setRoutes({
    version: 1,
    routes: [{ app: "web", env: "production", hostnames: ["www.example.com"], upstreams: [upstream.upstream()] }],
  });
  port = (await proxy.start()).port;
  // A running server has parsed and proxied before: the thread is started, and both paths are warm.
  await parseInThread(repoWith({}));
  for (let i = 0; i < 20; i++) await send(port, "www.example.com");
});

afterAll(async () => {
  await proxy?.stop();
  await upstream?.close();
});

describe("reading the deploy repo beside the built-in proxy", () => {
  it("refuses the 95 kB alias file in under 1 s, at the 101st alias, while the proxy answers within 250 ms", async () => {
    const yaml = aliasFlood();
    expect(yaml.length).toBeGreaterThan(95_000);
    const served = await whileServing(() => parseInThread(repoWith({ "apps/x.yaml": yaml })));

    expect(problemsOf(served.outcome.error)).toEqual([
      "apps/x.yaml:102:7 this is alias (*name) number 101 in the file; a file may have at most 100: write the values out instead",
    ]);
    expect(served.ms).toBeLessThan(1_000);
    expect(served.requests).toBeGreaterThan(0);
    expect(served.slowestMs).toBeLessThan(SLOWEST_MS);
  });

  it("stops a read past the time limit, names the files, and starts a new thread for the next read", async () => {
    await withThread({ timeoutMs: 300 }, async (thread) => {
      const slow = commentedRepo(2);
      const served = await whileServing(() => thread.parse(slow));

      expect(problemsOf(served.outcome.error)).toEqual([
        "apps/big0.yaml:1:1 reading the deploy repo's YAML took longer than 300 ms and was stopped; its largest files: apps/big0.yaml (963.9 kB), apps/big1.yaml (963.9 kB), dockhand.yaml (241 bytes) and 1 more",
      ]);
      expect(served.ms).toBeLessThan(2_000);
      expect(served.slowestMs).toBeLessThan(SLOWEST_MS);
    });
  });

  it("reads a valid repo that takes seconds to read, while the proxy answers within 250 ms", async () => {
    const slow = commentedRepo(3);
    const served = await whileServing(() => parseInThread(slow));

    expect(served.outcome.value?.apps.map((app) => app.name)).toEqual(["big0", "big1", "big2", "web"]);
    // Long enough that on the main thread it would have held requests (the last test shows it does).
    expect(served.ms).toBeGreaterThan(SLOWEST_MS);
    expect(served.slowestMs).toBeLessThan(SLOWEST_MS);
  });

  it("stops a read that needs more memory than the thread may have, and starts a new thread for the next read", async () => {
    await withThread({ maxHeapMb: 32 }, async (thread) => {
      await expect(thread.parse(hugeRepo(2))).rejects.toThrow(
        "apps/big0.yaml:1:1 reading the deploy repo's YAML needed more than 32 MB of memory and was stopped; its largest files: apps/big0.yaml (948.9 kB), apps/big1.yaml (948.9 kB), dockhand.yaml (241 bytes) and 1 more",
      );
    });
  });

  it("the probe sees a stall: the same repo parsed on the main thread delays requests past 250 ms", async () => {
    const slow = commentedRepo(3);
    const served = await whileServing(() => parseDeployRepo(slow));

    expect(served.outcome.value?.apps).toHaveLength(4);
    expect(served.slowestMs).toBeGreaterThan(SLOWEST_MS);
  });
});
