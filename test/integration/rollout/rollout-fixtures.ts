/**
 * Shared setup of the rollout tests: an app image that writes its page from
 * the environment (so a change of env rolls it), a deploy repo directory on
 * disk over the two test bed engines, and one sync through runSync exactly
 * as `dockhand apply` does it.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pino from "pino";
import { createDockerHosts, type DockerHosts } from "../../../src/docker/index.js";
import { DirectoryRepo } from "../../../src/git/index.js";
import type { DeployOutcome, ObservedContainer, SyncJob } from "../../../src/model/index.js";
import { LABELS } from "../../../src/model/index.js";
import { RedisRouteStore } from "../../../src/proxy/index.js";
import { runSync, type SyncDeps } from "../../../src/worker/sync/run-sync.js";
import { testbed, testbedHosts } from "../../support/testbed.js";
import { cleanupRun, contextTar, RUN_LABEL, rawEngines } from "../docker/docker-fixtures.js";

export const APP_PORT = 8080;

/**
 * PAGE becomes index.html. MODE: `exit` fails at start; `crash` serves, then
 * exits after DELAY seconds; `nohealth` serves no /healthz (404);
 * `nohealth-on-beta` does so only on the beta engine (its bridge is 172.31.0.0/24).
 */
const ENTRYPOINT = `#!/bin/sh
mkdir -p /www
echo "\${PAGE:-hello}" > /www/index.html
MODE="\${MODE:-serve}"
if [ "$MODE" = nohealth-on-beta ] && grep -q '^172[.]31[.]' /etc/hosts; then MODE=nohealth; fi
[ "$MODE" = nohealth ] || echo ok > /www/healthz
echo "page \${PAGE:-hello} mode $MODE"
case "$MODE" in
  exit) echo "fatal: cannot start" >&2; exit 3 ;;
  crash) httpd -f -p ${APP_PORT} -h /www & sleep "\${DELAY:-1}"; echo "crashed" >&2; exit 4 ;;
esac
trap 'exit 0' TERM
httpd -f -p ${APP_PORT} -h /www &
wait
`;

export interface RolloutBed {
  runId: string;
  instance: string;
  image: string;
  dir: string;
  prefix: string;
  redis: Redis;
  routes: RedisRouteStore;
  docker: DockerHosts;
  log: pino.Logger;
  /** Write apps/<name>.yaml (and dockhand.yaml with the test bed hosts, on first use). */
  writeApp(name: string, yaml: string): void;
  removeApp(name: string): void;
  sync(job?: Partial<SyncJob>, deps?: Partial<SyncDeps>): Promise<DeployOutcome>;
  containers(app: string): Promise<ObservedContainer[]>;
  running(app: string): Promise<ObservedContainer[]>;
  close(): Promise<void>;
}

/** Builds the app image on alpha and ships it to beta; `hosts` overrides dockhand.yaml's hosts block. */
export async function createRolloutBed(options: { hostsYaml?: string } = {}): Promise<RolloutBed> {
  const runId = `test-${randomBytes(4).toString("hex")}`;
  const instance = `t${randomBytes(3).toString("hex")}`;
  const image = `dockhand-test/roll:${runId}`;
  const docker = createDockerHosts(testbedHosts()) as DockerHosts;
  const dockerfile = [
    "FROM busybox:stable",
    "COPY entrypoint.sh /entrypoint.sh",
    `LABEL ${RUN_LABEL}=${runId}`,
    'CMD ["/entrypoint.sh"]',
    "",
  ].join("\n");
  const context = contextTar({ Dockerfile: dockerfile, "entrypoint.sh": ENTRYPOINT }, { "entrypoint.sh": 0o755 });
  await docker.build("alpha", image, context, "Dockerfile", () => undefined);
  await docker.ship(image, "alpha", "beta");

  const dir = mkdtempSync(join(tmpdir(), "dockhand-rollout-"));
  mkdirSync(join(dir, "apps"));
  writeFileSync(join(dir, "dockhand.yaml"), options.hostsYaml ?? hostsYaml());
  const prefix = `dockhand:${instance}:`;
  const redis = new Redis(testbed().redisUrl, { maxRetriesPerRequest: null });
  const routes = new RedisRouteStore({ redis: redis.duplicate(), prefix });
  const log = pino({ level: process.env.DOCKHAND_TEST_LOG ?? "silent" });
  const observeApp = async (app: string) =>
    (await docker.observe(instance)).hosts.flatMap((h) => h.containers).filter((c) => c.app === app);
  return {
    runId,
    instance,
    image,
    dir,
    prefix,
    redis,
    routes,
    docker,
    log,
    writeApp: (name, yaml) => writeFileSync(join(dir, "apps", `${name}.yaml`), yaml),
    removeApp: (name) => rmSync(join(dir, "apps", `${name}.yaml`)),
    sync: (job = {}, deps = {}) =>
      runSync(
        { trigger: "cli", env: "production", ...job },
        {
          repo: new DirectoryRepo({ dir }),
          dockerFor: (hosts) => createDockerHosts(hosts),
          routes,
          instance,
          log,
          ...deps,
        },
      ),
    containers: observeApp,
    running: async (app) => (await observeApp(app)).filter((c) => c.state === "running"),
    close: async () => {
      await removeInstance(instance);
      await docker.close();
      await cleanupRun(runId);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await routes.close();
      redis.disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function hostsYaml(): string {
  const bed = testbed();
  return [
    "hosts:",
    `  alpha: { docker: "${bed.alpha}", address: 127.0.0.1 }`,
    "  beta:",
    `    docker: ${bed.beta}`,
    `    tls: { ca: ${bed.betaCerts}/ca.pem, cert: ${bed.betaCerts}/cert.pem, key: ${bed.betaCerts}/key.pem }`,
    "    address: 127.0.0.2",
    "",
  ].join("\n");
}

/** Every container (and named volume) of the instance on both engines. */
export async function removeInstance(instance: string): Promise<void> {
  for (const engine of Object.values(rawEngines())) {
    const filters = { label: [`${LABELS.instance}=${instance}`] };
    const containers = await engine.listContainers({ all: true, filters });
    await Promise.all(containers.map((c) => engine.getContainer(c.Id).remove({ force: true, v: true })));
    const { Volumes } = await engine.listVolumes({ filters });
    await Promise.all((Volumes ?? []).map((v) => engine.getVolume(v.Name).remove({ force: true })));
  }
}

/** An app file for the test image; `extra` lines are appended as they are. */
export function appYaml(name: string, image: string, extra: Record<string, string> = {}): string {
  const lines = [`name: ${name}`, `image: ${image}`, `port: ${APP_PORT}`];
  for (const [key, value] of Object.entries(extra)) lines.push(`${key}: ${value}`);
  return `${lines.join("\n")}\n`;
}
