import { describe, expect, it } from "vitest";
import { LatestOnly } from "../../../src/proxy/latest-only.js";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("LatestOnly", () => {
  it("runs the first value at once and, of those that arrive meanwhile, only the newest", async () => {
    const gate = deferred();
    const ran: number[] = [];
    const latest = new LatestOnly<number, string>(async (n) => {
      ran.push(n);
      if (n === 1) await gate.promise;
      return `done ${n}`;
    });
    const results = [latest.run(1), latest.run(2), latest.run(3)];
    gate.resolve();
    expect(await Promise.all(results)).toEqual(["done 1", "done 3", "done 3"]);
    expect(ran).toEqual([1, 3]);
  });

  it("with settleMs, lets values that arrive at once become one job", async () => {
    const ran: number[] = [];
    const latest = new LatestOnly<number, number>(async (n) => {
      ran.push(n);
      return n;
    }, 20);
    expect(await Promise.all([latest.run(1), latest.run(2)])).toEqual([2, 2]);
    expect(ran).toEqual([2]);
  });

  it("hands a failure to every caller of the failed value and keeps going", async () => {
    const latest = new LatestOnly<number, number>(async (n) => {
      if (n === 2) throw new Error("refused 2");
      return n;
    });
    const first = latest.run(1);
    const second = latest.run(2);
    expect(await first).toBe(1);
    await expect(second).rejects.toThrow("refused 2");
    expect(await latest.run(3)).toBe(3);
  });
});
