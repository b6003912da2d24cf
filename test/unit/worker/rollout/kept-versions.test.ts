import { describe, expect, it } from "vitest";
import type { AppSpec, ObservedContainer } from "../../../../src/model/index.js";
import { type KeptContainer, surplusVersions } from "../../../../src/worker/rollout/keep-versions.js";
import { previousVersion, rollbackSteps } from "../../../../src/worker/rollout/roll-back-app.js";

function kept(specHash: string, retiredAt: number, slot = 0): KeptContainer {
  return { id: `${specHash}-${slot}`, host: "alpha", name: `web-${specHash}-${slot}`, specHash, retiredAt };
}

const spec = (specHash: string, retain?: number) =>
  ({ specHash, port: 8080, rollout: { batch: 1, drainMs: 0, ...(retain === undefined ? {} : { retain }) } }) as AppSpec;

describe("surplusVersions: which kept containers a rollout removes", () => {
  it.each([
    { name: "nothing beyond retain", kept: [kept("v1", 1), kept("v2", 2)], spec: spec("v3", 3), removed: [] },
    {
      name: "the oldest versions beyond retain, every slot of each",
      kept: [kept("v1", 1, 0), kept("v1", 1, 1), kept("v2", 2), kept("v3", 3)],
      spec: spec("v4", 2),
      removed: ["v1-0", "v1-1"],
    },
    {
      name: "the version now running, whatever its age",
      kept: [kept("v1", 1), kept("v2", 2)],
      spec: spec("v2", 3),
      removed: ["v2-0"],
    },
    {
      name: "all of them with retain 0",
      kept: [kept("v1", 1), kept("v2", 2)],
      spec: spec("v3", 0),
      removed: ["v1-0", "v2-0"],
    },
    { name: "three by default", kept: [1, 2, 3, 4].map((n) => kept(`v${n}`, n)), spec: spec("v5"), removed: ["v1-0"] },
  ])("$name", ({ kept, spec, removed }) => {
    expect(surplusVersions(kept, spec).map((c) => c.id)).toEqual(removed);
  });
});

function observed(over: Partial<ObservedContainer>): ObservedContainer {
  return {
    id: "id",
    name: "web-production-0-aaaaaaaa",
    host: "alpha",
    app: "web",
    env: "production",
    slot: 0,
    specHash: "a",
    commit: "c1",
    image: "web:1",
    state: "running",
    health: "none",
    createdAt: 0,
    ...over,
  };
}

describe("rollback", () => {
  const current = [
    observed({ id: "c0", name: "web-production-0-cccccccc", specHash: "c", slot: 0, host: "alpha" }),
    observed({ id: "c1", name: "web-production-1-cccccccc", specHash: "c", slot: 1, host: "beta" }),
  ];
  const retired = (id: string, hash: string, slot: number, host: string, at: number) =>
    observed({
      id,
      name: `web-production-${slot}-${hash.repeat(8)}.retired-${at}`,
      specHash: hash,
      slot,
      host,
      state: "exited",
      retiredAt: at,
    });
  const b = [retired("b0", "b", 0, "alpha", 200), retired("b1", "b", 1, "beta", 200)];
  const a = [retired("a0", "a", 0, "alpha", 100)];

  it("goes back to the newest kept version that is not running", () => {
    expect(previousVersion([...current, ...a, ...b])?.containers.map((c) => c.id)).toEqual(["b0", "b1"]);
    expect(previousVersion([...current, ...a])?.specHash).toBe("a");
    expect(previousVersion(current)).toBeUndefined();
  });

  it("brings back, gates and routes each slot before retiring what ran there, and keeps that last", () => {
    const back = previousVersion([...current, ...b]);
    if (!back) throw new Error("no version");
    const steps = rollbackSteps(spec("b", 3), current, back).map((s) =>
      "container" in s ? `${s.kind} ${s.container.name}` : s.kind,
    );
    expect(steps).toEqual([
      "start web-production-0-bbbbbbbb",
      "waitHealthy web-production-0-bbbbbbbb",
      "routeIn web-production-0-bbbbbbbb",
      "routeOut web-production-0-cccccccc",
      "drain web-production-0-cccccccc",
      "stop web-production-0-cccccccc",
      "start web-production-1-bbbbbbbb",
      "waitHealthy web-production-1-bbbbbbbb",
      "routeIn web-production-1-bbbbbbbb",
      "routeOut web-production-1-cccccccc",
      "drain web-production-1-cccccccc",
      "stop web-production-1-cccccccc",
      "remove web-production-0-cccccccc",
      "remove web-production-1-cccccccc",
    ]);
  });
});
