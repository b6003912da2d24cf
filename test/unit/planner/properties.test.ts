/**
 * Properties of the planner over random worlds (issue 3). Each runs twice: with
 * a fixed seed (the same cases in every CI run) and with a random one, named
 * in the test title and printed by fast-check on failure; replay one with
 * DOCKHAND_PROPERTY_SEED=<seed> npx vitest run test/unit/planner/properties.test.ts
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ObservedState, Plan } from "../../../src/model/index.js";
import { plan, simulateApply } from "../../../src/planner/index.js";
import type { World } from "./arbitraries.js";
import { worldArb } from "./arbitraries.js";
import { liveContainers, stepOrderViolations } from "./step-invariants.js";

const FIXED_SEED = 3_141_592;
const RANDOM_SEED = Number(process.env.DOCKHAND_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.DOCKHAND_PROPERTY_RUNS ?? 400);

const planWorld = (w: World, observed: ObservedState = w.observed): Plan =>
  plan(w.desired, observed, w.envs ? { envs: w.envs } : {});

/** A deterministic shuffle driven by fast-check, so a failing order can be replayed. */
function shuffled<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function reordered(w: World, seed: number): World {
  const hosts = shuffled(w.observed.hosts, seed).map((h) => ({ ...h, containers: shuffled(h.containers, seed + 1) }));
  const routes = w.observed.routes && { ...w.observed.routes, routes: shuffled(w.observed.routes.routes, seed + 2) };
  return {
    envs: w.envs,
    desired: { ...w.desired, hosts: shuffled(w.desired.hosts, seed + 3), apps: shuffled(w.desired.apps, seed + 4) },
    observed: routes ? { hosts, routes } : { hosts },
  };
}

function countsByHost(observed: ObservedState): Map<string, number> {
  return new Map(observed.hosts.map((h) => [h.name, h.containers.length]));
}

for (const [label, seed] of [
  ["fixed seed", FIXED_SEED],
  [`random seed ${RANDOM_SEED}`, RANDOM_SEED],
] as const) {
  describe(`planner properties (${label})`, () => {
    const check = (prop: fc.IPropertyWithHooks<[World]> | fc.IProperty<[World]>) =>
      fc.assert(prop, { seed, numRuns: RUNS });

    it("determinism: the same inputs, in any order, give the same plan", () => {
      check(
        fc.property(worldArb, (w) => {
          const once = planWorld(w);
          expect(planWorld(w)).toEqual(once);
          expect(planWorld(reordered(w, seed))).toEqual(once);
        }),
      );
    });

    it("convergence: after applying the plan, every app that planned is left with nothing to do", () => {
      check(
        fc.property(worldArb, (w) => {
          const first = planWorld(w);
          const failed = new Set(first.changes.filter((c) => c.error !== undefined).map((c) => `${c.env}/${c.app}`));
          const again = planWorld(w, simulateApply(w.observed, first));
          for (const c of again.changes) {
            if (failed.has(`${c.env}/${c.app}`)) continue;
            expect(`${c.env}/${c.app} ${c.kind} ${c.steps.length} steps`).toBe(`${c.env}/${c.app} unchanged 0 steps`);
          }
        }),
      );
    });

    it("convergence: plan and apply repeated reach a plan with no steps (errors only clear as room frees)", () => {
      check(
        fc.property(worldArb, (w) => {
          let observed = w.observed;
          const rounds = w.desired.apps.length + 2;
          for (let round = 0; round < rounds; round++) {
            const p = planWorld(w, observed);
            if (p.changes.every((c) => c.steps.length === 0)) return;
            observed = simulateApply(observed, p);
          }
          expect.fail(`still changing after ${rounds} rounds`);
        }),
      );
    });

    it("capacity is never exceeded (beyond what a host already ran)", () => {
      check(
        fc.property(worldArb, (w) => {
          const before = countsByHost(w.observed);
          const after = simulateApply(w.observed, planWorld(w));
          for (const h of w.desired.hosts) {
            const count = countsByHost(after).get(h.name) ?? 0;
            expect(count).toBeLessThanOrEqual(Math.max(h.capacity, before.get(h.name) ?? 0));
          }
        }),
      );
    });

    it("an app on a fixed host port runs at most one container per host after the plan", () => {
      check(
        fc.property(worldArb, (w) => {
          const p = planWorld(w);
          const after = simulateApply(w.observed, p);
          for (const change of p.changes) {
            if (change.spec?.hostPort === undefined || change.error !== undefined) continue;
            for (const h of after.hosts.filter((x) => x.reachable)) {
              const running = h.containers.filter(
                (c) =>
                  c.app === change.app && c.env === change.env && c.state === "running" && c.retiredAt === undefined,
              );
              expect(running.map((c) => c.name).length, `${change.app} on ${h.name}`).toBeLessThanOrEqual(1);
            }
          }
        }),
      );
    });

    it("no hostname is served by two apps after the plan", () => {
      check(
        fc.property(worldArb, (w) => {
          const after = simulateApply(w.observed, planWorld(w));
          const owners = new Map<string, string>();
          for (const r of after.routes?.routes ?? []) {
            for (const h of r.hostnames) {
              expect(owners.get(h) ?? `${r.env}/${r.app}`).toBe(`${r.env}/${r.app}`);
              owners.set(h, `${r.env}/${r.app}`);
            }
          }
        }),
      );
    });

    it("step order: routed in only after healthy, stopped only after routed out and drained, olds removed last", () => {
      check(
        fc.property(worldArb, (w) => {
          const live = liveContainers(w.observed.hosts);
          for (const change of planWorld(w).changes) expect(stepOrderViolations(change, live)).toEqual([]);
        }),
      );
    });
  });
}
