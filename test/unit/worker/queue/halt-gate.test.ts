import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { HaltGate } from "../../../../src/worker/queue/halt-gate.js";

class Port {
  calls: string[] = [];
  async slow(ms: number): Promise<string> {
    this.calls.push(`slow ${ms}`);
    await sleep(ms);
    return `slept ${ms}`;
  }
  async close(): Promise<void> {
    this.calls.push("close");
  }
}

describe("HaltGate", () => {
  it("passes calls through until halted", async () => {
    const gate = new HaltGate();
    const port = gate.wrap(new Port());
    expect(await port.slow(1)).toBe("slept 1");
  });

  it("lets a call under way finish, resolves halt() then, and starts no new call", async () => {
    const gate = new HaltGate();
    const inner = new Port();
    const port = gate.wrap(inner, ["close"]);
    const running = port.slow(50);
    let halted = false;
    const halting = gate.halt().then(() => {
      halted = true;
    });
    expect(halted).toBe(false);
    expect(await running).toBe("slept 50");
    await halting;
    expect(gate.isHalted).toBe(true);
    let started = false;
    void port.slow(1).then(() => {
      started = true;
    });
    await sleep(30);
    expect(started).toBe(false);
    expect(inner.calls).toEqual(["slow 50"]);
    // What is left out of the gate still works: a stopping process closes its connections.
    await port.close();
    expect(inner.calls).toEqual(["slow 50", "close"]);
  });

  it("halts at once when nothing is under way, and then starts no call", async () => {
    const gate = new HaltGate();
    const inner = new Port();
    const port = gate.wrap(inner);
    let halted = false;
    void gate.halt().then(() => {
      halted = true;
    });
    // At once: before any timer or I/O callback could run, not after some call drained.
    await new Promise((resolve) => setImmediate(resolve));
    expect(halted).toBe(true);
    expect(gate.isHalted).toBe(true);
    void port.slow(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(inner.calls).toEqual([]);
  });
});
