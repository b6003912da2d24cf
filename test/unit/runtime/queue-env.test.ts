import { describe, expect, it } from "vitest";
import { readQueueEnv } from "../../../src/runtime/queue-env.js";

describe("readQueueEnv", () => {
  it("has defaults: poll every 60 s, 30 min job timeout, 30 s locks, 20 s stop grace", () => {
    expect(readQueueEnv({})).toEqual({
      pollIntervalMs: 60_000,
      jobTimeoutMs: 1_800_000,
      lockTtlMs: 30_000,
      stopGraceMs: 20_000,
    });
  });

  it.each([
    ["60s", 60_000],
    ["5m", 300_000],
    ["1m30s", 90_000],
    ["0", 0],
    [" 2s ", 2_000],
    ["", 60_000],
  ])("DOCKHAND_POLL_INTERVAL=%j ─▶ %i ms", (text, ms) => {
    expect(readQueueEnv({ DOCKHAND_POLL_INTERVAL: text }).pollIntervalMs).toBe(ms);
  });

  it.each([
    [
      { DOCKHAND_POLL_INTERVAL: "60" },
      'DOCKHAND_POLL_INTERVAL must be a duration like "60s" of at least 1000 ms, or 0 to turn it off, got "60"',
    ],
    [
      { DOCKHAND_POLL_INTERVAL: "10ms" },
      'DOCKHAND_POLL_INTERVAL must be a duration like "60s" of at least 1000 ms, or 0 to turn it off, got "10ms"',
    ],
    [{ DOCKHAND_JOB_TIMEOUT: "0" }, 'DOCKHAND_JOB_TIMEOUT must be a duration like "30m" of at least 1000 ms, got "0"'],
    [{ DOCKHAND_LOCK_TTL: "fast" }, 'DOCKHAND_LOCK_TTL must be a duration like "30s" of at least 500 ms, got "fast"'],
  ])("refuses %j", (env, message) => {
    expect(() => readQueueEnv(env)).toThrow(message);
  });
});
