/**
 * `dockhand hosts check` for one host: reachable and authenticated first (the
 * rest needs both), then engine version, storage, clock, containers, disk
 * and address side by side, all within one deadline. A check still running
 * at the deadline fails with "no answer"; the containers the checks started
 * are removed before this returns, deadline or not.
 */
import { DockhandError } from "../model/index.js";
import { checkAddress } from "./check-address.js";
import { sweepCheckContainers } from "./check-containers.js";
import { checkDisk } from "./check-disk.js";
import type { Engine } from "./connect-engine.js";
import { DOCKER_DEFAULTS } from "./docker-defaults.js";
import { readEngineInfo, readEngineVersion } from "./engine-calls.js";
import { capacityVerdict, clockVerdict, engineVerdict, storageVerdict } from "./engine-verdicts.js";
import {
  type CheckName,
  type CheckResult,
  fail,
  HOST_CHECKS,
  type HostCheck,
  type HostFacts,
  skip,
} from "./host-check.js";
import { imageExists } from "./image-exists.js";
import { observeHost } from "./observe-host.js";
import { probeEngine, transportOf } from "./probe-engine.js";

export interface CheckHostOptions {
  /** DOCKHAND_INSTANCE: whose containers count, and the label on the check's own. */
  instance: string;
  /** Longest time for the whole host. */
  timeoutMs: number;
  /** Image of the address and disk containers. Default: DOCKER_DEFAULTS.hostCheckImage. */
  image?: string;
}

/** What the checks of one host share while they run. */
class Run {
  readonly results = new Map<CheckName, CheckResult>();
  readonly started = performance.now();
  readonly signal: AbortSignal;

  constructor(
    readonly engine: Engine,
    readonly options: CheckHostOptions,
    readonly facts: HostFacts,
  ) {
    this.signal = AbortSignal.timeout(options.timeoutMs);
  }

  left(): number {
    return Math.max(1, Math.round(this.options.timeoutMs - (performance.now() - this.started)));
  }

  set(result: CheckResult): void {
    if (!this.results.has(result.check)) this.results.set(result.check, result);
  }

  /** Runs `task`; if it throws, the checks it had not answered yet fail with the error. */
  async guard(names: CheckName[], task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const fix = "run the check again; if it fails the same way, read the engine's log (e.g. journalctl -u docker)";
      for (const name of names) this.set(fail(name, why, fix));
    }
  }
}

async function versionCheck(run: Run): Promise<void> {
  const version = await readEngineVersion(run.engine, run.left());
  run.facts.engineVersion = version.Version;
  run.facts.apiVersion = version.ApiVersion;
  run.set(engineVerdict(version));
}

async function containersCheck(run: Run): Promise<void> {
  const { engine, options } = run;
  const observed = await observeHost(engine, options.instance, run.left(), () => undefined);
  if (!observed.reachable) throw new DockhandError("DOCKHAND_E_DOCKER", observed.error ?? "list containers failed");
  // Kept old versions are stopped and do not count against capacity, as in the planner.
  const count = observed.containers.filter((c) => c.retiredAt === undefined).length;
  run.facts.containers = count;
  run.set(capacityVerdict(engine.host.name, options.instance, count, engine.host.capacity));
}

/** Storage and clock from one /info, then the checks that run containers (they need its data root). */
async function infoAndContainerChecks(run: Run): Promise<void> {
  const { engine, options } = run;
  const sentAt = Date.now();
  const info = await readEngineInfo(engine, run.left());
  const receivedAt = Date.now();
  run.facts.storageDriver = info.Driver;
  run.facts.dataRoot = info.DockerRootDir;
  run.set(storageVerdict(info));
  const clock = clockVerdict(info, sentAt, receivedAt);
  run.facts.clockSkewMs = clock.skewMs;
  run.set(clock.result);

  const image = options.image ?? DOCKER_DEFAULTS.hostCheckImage;
  if (!(await imageExists(engine, image))) {
    run.set(
      fail(
        "address",
        `host has no image ${image}, which the address and disk checks run`,
        `on the host: docker pull ${image} (or, offline: docker save ${image} here, docker load there)`,
      ),
    );
    run.set(skip("disk", `not checked: needs the image ${image}`));
    return;
  }
  await sweepCheckContainers(engine, options.instance, Date.parse(info.SystemTime ?? "") || receivedAt);
  await Promise.all([
    run.guard(["disk"], async () => {
      const disk = await checkDisk(
        engine,
        options.instance,
        image,
        info.DockerRootDir ?? "/var/lib/docker",
        run.left(),
      );
      Object.assign(run.facts, { freeBytes: disk.freeBytes, sizeBytes: disk.sizeBytes });
      run.set(disk.result);
    }),
    run.guard(["address"], async () => {
      const address = await checkAddress(engine, options.instance, image, run.signal);
      run.facts.addressUrl = address.url;
      run.set(address.result);
    }),
  ]);
}

/** The results in HOST_CHECKS order; a check not answered by now failed for lack of time. */
function snapshot(run: Run, unanswered: (name: CheckName) => CheckResult): CheckResult[] {
  return HOST_CHECKS.map((name) => run.results.get(name) ?? unanswered(name));
}

function deadlineOf(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

export async function checkHost(engine: Engine, options: CheckHostOptions): Promise<HostCheck> {
  const facts: HostFacts = { transport: transportOf(engine), capacity: engine.host.capacity };
  const run = new Run(engine, options, facts);
  const probe = await probeEngine(engine, run.left());
  facts.latencyMs = probe.latencyMs;
  run.set(probe.reachable);
  run.set(probe.authenticated);
  let checks: CheckResult[];
  let reported: HostFacts;
  if (probe.reachable.status === "fail" || probe.authenticated.status === "fail") {
    const why = probe.reachable.status === "fail" ? "reachable" : "authenticated";
    checks = snapshot(run, (name) => skip(name, `not checked: the engine is not ${why}`));
    reported = facts;
  } else {
    const all = Promise.all([
      run.guard(["engine"], () => versionCheck(run)),
      run.guard(["containers"], () => containersCheck(run)),
      run.guard(["storage", "clock", "disk", "address"], () => infoAndContainerChecks(run)),
    ]);
    await Promise.race([all, deadlineOf(run.signal)]);
    const within = `no answer within ${options.timeoutMs} ms`;
    const fix = "check the host's load and network, or raise --timeout";
    checks = snapshot(run, (name) => fail(name, within, fix));
    reported = { ...facts };
    // Late results are not reported, but the check's containers must be gone before we return.
    await all;
  }
  const durationMs = Math.round(performance.now() - run.started);
  return {
    host: engine.host.name,
    endpoint: engine.endpoint,
    ok: checks.every((c) => c.status !== "fail"),
    durationMs,
    facts: reported,
    checks,
  };
}
