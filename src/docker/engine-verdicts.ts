/**
 * Verdicts on what an engine reported: API version, storage driver, clock,
 * containers against capacity, free disk. Pure, so each threshold has a
 * table-driven test (test/unit/docker/engine-verdicts.test.ts).
 */
import { DOCKER_DEFAULTS } from "./docker-defaults.js";
import type { EngineInfo } from "./engine-calls.js";
import { type CheckResult, fail, pass, warn } from "./host-check.js";

function apiNumber(version: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Whether API `version` is at least `minimum` (both `major.minor`); false when it cannot be read. */
export function apiAtLeast(version: string, minimum: string): boolean {
  const have = apiNumber(version);
  const need = apiNumber(minimum);
  if (!have || !need) return false;
  return have[0] > need[0] || (have[0] === need[0] && have[1] >= need[1]);
}

export function engineVerdict(version: { Version?: string; ApiVersion?: string }): CheckResult {
  const minimum = DOCKER_DEFAULTS.minApiVersion;
  const api = version.ApiVersion ?? "?";
  const detail = `Docker Engine ${version.Version ?? "?"}, API ${api}`;
  if (apiAtLeast(api, minimum)) return pass("engine", `${detail} (${minimum} or newer needed)`);
  return fail(
    "engine",
    `${detail}: dockhand needs API ${minimum} or newer`,
    `upgrade Docker Engine on the host to 20.10 or newer (API ${minimum})`,
  );
}

/** Drivers that work but cost: vfs copies every layer, the others are gone from current engines. */
const WEAK_DRIVERS: Record<string, string> = {
  vfs: "copies every layer in full: builds are slow and the disk fills fast",
  devicemapper: "is deprecated and removed in Docker Engine 25",
  aufs: "is deprecated and removed in Docker Engine 24",
  overlay: "(the legacy one, not overlay2) is removed in Docker Engine 24",
};

export function storageVerdict(info: EngineInfo): CheckResult {
  const driver = info.Driver ?? "unknown";
  const backing = info.DriverStatus?.find(([key]) => key === "Backing Filesystem")?.[1];
  const detail = backing ? `${driver} on ${backing}` : driver;
  const weakness = WEAK_DRIVERS[driver];
  if (weakness === undefined) return pass("storage", detail);
  return warn(
    "storage",
    `${detail}: ${driver} ${weakness}`,
    'set "storage-driver": "overlay2" in the host\'s /etc/docker/daemon.json and restart the engine (images are pulled or built again)',
  );
}

/**
 * The engine's clock against ours, read at the middle of the request that
 * returned it; the round trip bounds the error, so only skew beyond it counts.
 */
export function clockVerdict(
  info: EngineInfo,
  sentAt: number,
  receivedAt: number,
): { result: CheckResult; skewMs?: number } {
  const engineTime = info.SystemTime ? Date.parse(info.SystemTime) : Number.NaN;
  if (Number.isNaN(engineTime)) {
    const result = warn(
      "clock",
      `the engine reported no readable time (${info.SystemTime ?? "none"})`,
      "upgrade Docker Engine",
    );
    return { result };
  }
  const skewMs = Math.round(engineTime - (sentAt + receivedAt) / 2);
  const errorMs = Math.ceil((receivedAt - sentAt) / 2);
  const sign = skewMs < 0 ? "-" : "+";
  const detail = `engine clock ${sign}${(Math.abs(skewMs) / 1000).toFixed(3)} s from this machine's (±${errorMs} ms)`;
  const limit = DOCKER_DEFAULTS.maxClockSkewMs;
  if (Math.abs(skewMs) - errorMs <= limit) return { result: pass("clock", detail), skewMs };
  const result = fail(
    "clock",
    `${detail}, more than ${limit / 1000} s`,
    "synchronise both clocks with NTP (timedatectl set-ntp true, or chrony): logs --since and the order of merged log lines use the engine's time",
  );
  return { result, skewMs };
}

export function capacityVerdict(host: string, instance: string, count: number, capacity: number): CheckResult {
  const detail = `${count} ${count === 1 ? "container" : "containers"} of instance ${instance}, capacity ${capacity}`;
  if (count <= capacity) return pass("containers", detail);
  return fail(
    "containers",
    `${detail}: over capacity, so no new container is placed here`,
    `raise hosts.${host}.capacity, or place fewer replicas on this host`,
  );
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function diskVerdict(dataRoot: string, freeBytes: number, sizeBytes: number): CheckResult {
  const share = sizeBytes > 0 ? freeBytes / sizeBytes : 0;
  const detail = `${formatBytes(freeBytes)} free of ${formatBytes(sizeBytes)} (${Math.round(share * 100)}%) on ${dataRoot}`;
  const fix =
    "free space on the host (docker system prune removes unused images and stopped containers) or grow its disk";
  if (freeBytes < DOCKER_DEFAULTS.minFreeDiskBytes) {
    return fail("disk", `${detail}: less than ${formatBytes(DOCKER_DEFAULTS.minFreeDiskBytes)}`, fix);
  }
  if (share < DOCKER_DEFAULTS.lowFreeDiskRatio) return warn("disk", `${detail}: nearly full`, fix);
  return pass("disk", detail);
}

/** `df -Pk` output: the last line's 1024-blocks and available columns, in bytes. */
export function parseDf(output: string): { sizeBytes: number; freeBytes: number } | undefined {
  const last = output.trim().split("\n").at(-1) ?? "";
  const m = /(\d+)\s+(\d+)\s+(\d+)\s+\d+%\s+\S+$/.exec(last.trim());
  if (!m) return undefined;
  return { sizeBytes: Number(m[1]) * 1024, freeBytes: Number(m[3]) * 1024 };
}
