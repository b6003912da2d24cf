import { describe, expect, it } from "vitest";
import { DOCKER_DEFAULTS } from "../../../src/docker/docker-defaults.js";
import {
  apiAtLeast,
  capacityVerdict,
  clockVerdict,
  diskVerdict,
  engineVerdict,
  formatBytes,
  parseDf,
  storageVerdict,
} from "../../../src/docker/engine-verdicts.js";

const GiB = 1024 ** 3;

describe("apiAtLeast", () => {
  it.each([
    ["1.41", "1.41", true],
    ["1.47", "1.41", true],
    ["2.0", "1.41", true],
    ["1.40", "1.41", false],
    ["1.9", "1.41", false],
    ["0.99", "1.41", false],
    ["", "1.41", false],
    ["v1.45", "1.41", false],
  ])("%s against %s: %s", (version, minimum, expected) => {
    expect(apiAtLeast(version, minimum)).toBe(expected);
  });
});

describe("engineVerdict", () => {
  it("passes API 1.41 and names the version", () => {
    expect(engineVerdict({ Version: "20.10.24", ApiVersion: "1.41" })).toEqual({
      check: "engine",
      status: "pass",
      detail: "Docker Engine 20.10.24, API 1.41 (1.41 or newer needed)",
    });
  });

  it("fails API 1.40 with the upgrade to make", () => {
    expect(engineVerdict({ Version: "19.03.15", ApiVersion: "1.40" })).toEqual({
      check: "engine",
      status: "fail",
      detail: "Docker Engine 19.03.15, API 1.40: dockhand needs API 1.41 or newer",
      fix: "upgrade Docker Engine on the host to 20.10 or newer (API 1.41)",
    });
  });
});

describe("storageVerdict", () => {
  it.each([
    ["overlay2", [["Backing Filesystem", "extfs"]], "pass", "overlay2 on extfs"],
    ["overlayfs", [["driver-type", "io.containerd.snapshotter.v1"]], "pass", "overlayfs"],
    ["btrfs", undefined, "pass", "btrfs"],
    ["vfs", undefined, "warn", "vfs: vfs copies every layer in full: builds are slow and the disk fills fast"],
    ["devicemapper", undefined, "warn", "devicemapper: devicemapper is deprecated and removed in Docker Engine 25"],
  ] as const)("%s is %s", (Driver, DriverStatus, status, detail) => {
    const result = storageVerdict({ Driver, DriverStatus: DriverStatus as Array<[string, string]> | undefined });
    expect(result).toMatchObject({ check: "storage", status, detail });
    if (status === "warn") expect(result.fix).toContain('"storage-driver": "overlay2"');
  });
});

describe("clockVerdict", () => {
  const at = Date.parse("2030-01-01T00:00:00Z");
  const limit = DOCKER_DEFAULTS.maxClockSkewMs;
  it.each([
    // engine time offset from the middle of a 100 ms round trip, and the expected status
    [0, "pass", "engine clock +0.000 s from this machine's (±50 ms)"],
    [-1500, "pass", "engine clock -1.500 s from this machine's (±50 ms)"],
    [limit + 40, "pass", `engine clock +${((limit + 40) / 1000).toFixed(3)} s from this machine's (±50 ms)`],
    [limit + 60, "fail", `engine clock +${((limit + 60) / 1000).toFixed(3)} s from this machine's (±50 ms)`],
    [-90_000, "fail", "engine clock -90.000 s from this machine's (±50 ms)"],
  ] as const)("skew %d ms: %s", (offset, status, detail) => {
    const info = { SystemTime: new Date(at + 50 + offset).toISOString().replace("Z", "123456Z") };
    const { result, skewMs } = clockVerdict(info, at, at + 100);
    expect(skewMs).toBe(offset);
    expect(result.status).toBe(status);
    expect(result.detail.startsWith(detail)).toBe(true);
    if (status === "fail") expect(result.fix).toMatch(/^synchronise both clocks with NTP/);
  });

  it("warns when the engine gives no time it can read", () => {
    expect(clockVerdict({ SystemTime: "soon" }, at, at + 1).result).toMatchObject({
      status: "warn",
      detail: "the engine reported no readable time (soon)",
    });
  });
});

describe("capacityVerdict", () => {
  it.each([
    [0, 20, "pass", "0 containers of instance default, capacity 20"],
    [1, 20, "pass", "1 container of instance default, capacity 20"],
    [20, 20, "pass", "20 containers of instance default, capacity 20"],
    [
      21,
      20,
      "fail",
      "21 containers of instance default, capacity 20: over capacity, so no new container is placed here",
    ],
  ] as const)("%d of %d: %s", (count, capacity, status, detail) => {
    const result = capacityVerdict("alpha", "default", count, capacity);
    expect(result).toMatchObject({ check: "containers", status, detail });
    if (status === "fail") expect(result.fix).toBe("raise hosts.alpha.capacity, or place fewer replicas on this host");
  });
});

describe("disk", () => {
  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1536, "1.5 KiB"],
    [3 * GiB, "3.0 GiB"],
    [2.5 * 1024 * GiB, "2.5 TiB"],
  ])("formatBytes(%d) is %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [50 * GiB, 100 * GiB, "pass", "50.0 GiB free of 100.0 GiB (50%) on /var/lib/docker"],
    [8 * GiB, 100 * GiB, "warn", "8.0 GiB free of 100.0 GiB (8%) on /var/lib/docker: nearly full"],
    [1 * GiB, 4 * GiB, "fail", "1.0 GiB free of 4.0 GiB (25%) on /var/lib/docker: less than 2.0 GiB"],
  ] as const)("%d free of %d: %s", (free, size, status, detail) => {
    const result = diskVerdict("/var/lib/docker", free, size);
    expect(result).toMatchObject({ check: "disk", status, detail });
    if (status !== "pass") expect(result.fix).toContain("docker system prune");
  });

  it.each([
    [
      "busybox",
      "Filesystem           1024-blocks    Used Available Capacity Mounted on\n/dev/vda             264212084  24600324  81790588  23% /dockhand-data-root\n",
      { sizeBytes: 264212084 * 1024, freeBytes: 81790588 * 1024 },
    ],
    [
      "GNU, a long device name on its own line",
      "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/mapper/vg-docker 1000 400 600 40% /dockhand-data-root",
      { sizeBytes: 1000 * 1024, freeBytes: 600 * 1024 },
    ],
    ["an error", "df: /dockhand-data-root: No such file or directory\n", undefined],
    ["nothing", "", undefined],
  ])("parseDf reads %s", (_what, output, expected) => {
    expect(parseDf(output)).toEqual(expected);
  });
});
