import { describe, expect, it } from "vitest";
import { PLAN_JSON_VERSION, plan, planToJson } from "../../../src/planner/index.js";
import { app, built, desired, host, observe } from "./fixtures.js";
import { samplePlan } from "./sample-plan.js";

describe("planToJson", () => {
  const json = planToJson(samplePlan());

  it("carries a version, the source, the summary and the warnings", () => {
    expect(json.version).toBe(PLAN_JSON_VERSION);
    expect(json.version).toBe(1);
    expect(json.source).toEqual({ repo: "/srv/deploy", sha: "0123456789abcdef0123456789abcdef01234567" });
    expect(json.summary).toEqual({
      create: 1,
      replace: 4,
      remove: 1,
      keep: 2,
      hostnameChanges: 2,
      errors: 1,
      appsChanged: 3,
      appsUnchanged: 1,
    });
    expect(json.warnings).toHaveLength(1);
  });

  it("has every documented key, in order, for every app and slot (null when absent)", () => {
    const appKeys = [
      "app",
      "env",
      "kind",
      "reasons",
      "error",
      "image",
      "specHash",
      "replicas",
      "hostnames",
      "slots",
      "steps",
    ];
    const slotKeys = ["slot", "action", "host", "container", "old", "reasons"];
    expect(Object.keys(json)).toEqual(["version", "source", "summary", "warnings", "apps"]);
    for (const a of json.apps) {
      expect(Object.keys(a)).toEqual(appKeys);
      for (const s of a.slots) expect(Object.keys(s)).toEqual(slotKeys);
    }
    const old = json.apps.find((a) => a.app === "old");
    expect(old).toMatchObject({ kind: "delete", image: null, specHash: null, replicas: null, error: null });
  });

  it("survives a JSON round trip unchanged (no undefined, no class instances)", () => {
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  const stepShapes = [
    { kind: "build", keys: ["kind", "host", "image", "context", "dockerfile"] },
    { kind: "ship", keys: ["kind", "image", "from", "to"] },
    { kind: "pull", keys: ["kind", "host", "image"] },
    { kind: "push", keys: ["kind", "host", "image"] },
    { kind: "start", keys: ["kind", "container"] },
    { kind: "drain", keys: ["kind", "container", "ms"] },
    { kind: "setHostnames", keys: ["kind", "hostnames"] },
  ];
  const hosts = [host("alpha"), host("beta")];
  const steps = [
    ...planToJson(plan(desired(hosts, [built("svc", { replicas: 2 })]), observe(hosts, []))).apps.flatMap(
      (a) => a.steps,
    ),
    ...json.apps.flatMap((a) => a.steps),
    ...planToJson(
      plan(
        {
          ...desired(hosts, [built("svc", { replicas: 2 })]),
          registry: { address: "r.example.com", namespace: "acme" },
        },
        observe(hosts, []),
      ),
    ).apps.flatMap((a) => a.steps),
    ...planToJson(plan(desired(hosts, [app("web")]), observe(hosts, []))).apps.flatMap((a) => a.steps),
  ];
  for (const shape of stepShapes) {
    it(`a ${shape.kind} step has keys ${shape.keys.join(", ")}`, () => {
      const step = steps.find((s) => s.kind === shape.kind);
      expect(step && Object.keys(step)).toEqual(shape.keys);
    });
  }
});
