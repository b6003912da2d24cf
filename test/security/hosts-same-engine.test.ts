/**
 * Two host names for one engine, in spellings the pure config check cannot
 * compare: each name lists the same containers, and a sync would remove one
 * copy of each as a duplicate, which is the container itself. The engines
 * tell: the sync refuses to plan, naming both hosts, and nothing is removed.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerHosts } from "../../src/docker/index.js";
import { DockhandError } from "../../src/model/index.js";
import { RedisKnownHosts } from "../../src/worker/sync/known-hosts.js";
import { appYaml, createRolloutBed, hostsYaml, type RolloutBed } from "../integration/rollout/rollout-fixtures.js";
import { testbed } from "../support/testbed.js";

let bed: RolloutBed;
let knownHosts: RedisKnownHosts;
let before: string[] = [];

/** The running web containers' ids, sorted. */
async function runningIds(): Promise<string[]> {
  return (await bed.running("web")).map((c) => c.id).sort();
}

function writeHosts(yaml: string): void {
  writeFileSync(join(bed.dir, "dockhand.yaml"), yaml);
}

beforeAll(async () => {
  bed = await createRolloutBed();
  knownHosts = new RedisKnownHosts(bed.redis, bed.prefix);
  bed.writeApp("web", appYaml("web", bed.image, { replicas: "2", health: "{ path: /healthz, stable: 0s }" }));
  const outcome = await bed.sync({}, { knownHosts });
  expect(outcome.status, JSON.stringify(outcome.error)).toBe("succeeded");
  before = await runningIds();
  expect((await bed.running("web")).map((c) => c.host).sort()).toEqual(["alpha", "beta"]);
});

afterAll(async () => {
  await bed?.close();
});

describe("two host names for one engine", () => {
  const bed0 = () => testbed();
  const cases = [
    {
      name: "`local` with DOCKER_HOST at alpha's socket, beside alpha's socket path",
      extra: () => "  alpha2: { docker: local, address: 127.0.0.5 }\n",
      env: () => ({ DOCKER_HOST: bed0().alpha }),
      names: "hosts alpha and alpha2",
    },
    {
      name: "beta's unix socket, beside beta over TCP with TLS",
      extra: () => `  beta2: { docker: "${bed0().betaSocket}", address: 127.0.0.6 }\n`,
      env: () => ({}),
      names: "hosts beta and beta2",
    },
  ];

  it.each(cases)("$name: the sync refuses to plan, names both, and removes nothing", async (c) => {
    writeHosts(`${hostsYaml()}${c.extra()}`);
    const env = c.env();
    const sync = bed.sync({}, { knownHosts, dockerFor: (hosts) => createDockerHosts(hosts, { env }) });
    const err = await sync.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DockhandError);
    const failure = err as DockhandError;
    // Not a config error: the pure check cannot see these spellings; the engines' identity can.
    expect(failure.code).toBe("DOCKHAND_E_PLAN");
    expect(failure.transient).toBe(false);
    expect(failure.message).toMatch(new RegExp(`^${c.names} are one Docker engine \\(`));
    expect(failure.message).toContain("give each engine one host in dockhand.yaml");
    expect(await runningIds()).toEqual(before);
  });

  it("a host renamed in dockhand.yaml (the old name remembered, on the same engine) still syncs, and the old name is forgotten", async () => {
    const renamed = hostsYaml().replace(/^ {2}alpha:/m, "  main:");
    expect(renamed).toContain("  main: {");
    writeHosts(renamed);
    const outcome = await bed.sync({}, { knownHosts });
    expect(outcome.status, JSON.stringify(outcome.error)).toBe("succeeded");
    // The test's own observer names the engines alpha and beta.
    expect((await bed.running("web")).map((c) => c.host).sort()).toEqual(["alpha", "beta"]);
    expect((await knownHosts.load()).map((h) => h.name).sort()).toEqual(["beta", "main"]);
  });
});
