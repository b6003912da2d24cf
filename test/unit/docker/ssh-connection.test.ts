import { describe, expect, it } from "vitest";
import { reconnectDelayMs } from "../../../src/docker/ssh-connection.js";

describe("reconnectDelayMs", () => {
  it.each([
    [0, 0],
    [1, 250],
    [2, 500],
    [3, 1_000],
    [5, 4_000],
    [6, 8_000],
    [20, 8_000],
  ])("after %i failed connects in a row waits %i ms", (failures, delay) => {
    expect(reconnectDelayMs(failures)).toBe(delay);
  });
});
