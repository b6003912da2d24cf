import { describe, expect, it } from "vitest";
import type { AppSpec, HostSpec, RegistrySpec } from "../../../src/model/index.js";
import { plan, simulateApply } from "../../../src/planner/index.js";
import type { ObserveOptions } from "./fixtures.js";
import { app, built, container, desired, host, observe } from "./fixtures.js";

const alpha = host("alpha");
const beta = host("beta");
const gamma = host("gamma");
const registry: RegistrySpec = { address: "registry.example.com:5000", namespace: "acme" };
const IMG = "registry.example.com:5000/acme/svc:tree1";
const svc = (over: Partial<AppSpec> = {}) => built("svc", { image: IMG, replicas: 2, ...over });

interface Case {
  name: string;
  want: AppSpec;
  hosts?: HostSpec[];
  registry?: RegistrySpec;
  observed?: ObserveOptions;
  /** Only the image steps (build, ship, push, pull), in order. */
  steps: string[];
}

const IMAGE_KINDS = new Set(["build", "ship", "push", "pull"]);

const cases: Case[] = [
  {
    name: "no host has it: built on the first target, pushed once from there, pulled on the other",
    want: svc(),
    registry,
    steps: [`build ${IMG} on alpha`, `push ${IMG} from alpha`, `pull ${IMG} on beta`],
  },
  {
    name: "three hosts: one build, one push, a pull per other host",
    want: svc({ replicas: 3 }),
    hosts: [alpha, beta, gamma],
    registry,
    steps: [`build ${IMG} on alpha`, `push ${IMG} from alpha`, `pull ${IMG} on beta`, `pull ${IMG} on gamma`],
  },
  {
    name: "several slots on one host: still one pull for that host",
    want: svc({ replicas: 4 }),
    registry,
    steps: [`build ${IMG} on alpha`, `push ${IMG} from alpha`, `pull ${IMG} on beta`],
  },
  {
    name: "one target host: built and pushed, so the registry holds every build",
    want: svc({ replicas: 1, placement: { hosts: ["beta"] } }),
    registry,
    steps: [`build ${IMG} on beta`, `push ${IMG} from beta`],
  },
  {
    name: "a target host has it: not rebuilt; pushed from it (a push the registry already has is cheap), pulled by the other",
    want: svc(),
    registry,
    observed: { images: { beta: [IMG] } },
    steps: [`push ${IMG} from beta`, `pull ${IMG} on alpha`],
  },
  {
    name: "every target host has it: no image steps",
    want: svc(),
    registry,
    observed: { images: { alpha: [IMG], beta: [IMG] } },
    steps: [],
  },
  {
    name: "an unreachable host's image does not count as a source",
    want: svc({ replicas: 1, placement: { hosts: ["alpha"] } }),
    registry,
    observed: { images: { beta: [IMG] }, unreachable: ["beta"] },
    steps: [`build ${IMG} on alpha`, `push ${IMG} from alpha`],
  },
  {
    name: "without a registry: shipped engine to engine, no push, no pull",
    want: built("svc", { replicas: 2 }),
    steps: ["build dockhand/svc:tree1 on alpha", "ship dockhand/svc:tree1 alpha->beta"],
  },
  {
    name: "an image: app with a registry configured: pulled once per host that lacks it, no push",
    want: app("web", { image: "registry.example.com:5000/acme/web:1.4", replicas: 3 }),
    registry,
    steps: [
      "pull registry.example.com:5000/acme/web:1.4 on alpha",
      "pull registry.example.com:5000/acme/web:1.4 on beta",
    ],
  },
  {
    name: "an image: app some host already has: pulled only where it is missing",
    want: app("web", { image: "web:1", replicas: 2 }),
    registry,
    observed: { images: { alpha: ["docker.io/library/web:1"] } },
    steps: ["pull web:1 on beta"],
  },
];

function describeImageStep(step: { kind: string; host?: string; image?: string; from?: string; to?: string }) {
  if (step.kind === "ship") return `ship ${step.image} ${step.from}->${step.to}`;
  if (step.kind === "push") return `push ${step.image} from ${step.host}`;
  return `${step.kind} ${step.image} on ${step.host}`;
}

describe("image steps with a registry", () => {
  for (const c of cases) {
    it(c.name, () => {
      const hosts = c.hosts ?? [alpha, beta];
      const state = { ...desired(hosts, [c.want]), ...(c.registry ? { registry: c.registry } : {}) };
      const observed = observe(hosts, [], c.observed);
      const p = plan(state, observed);
      const steps = p.changes.flatMap((change) => change.steps).filter((s) => IMAGE_KINDS.has(s.kind));
      expect(steps.map(describeImageStep)).toEqual(c.steps);
      // The plan applies: every push has its image, every start finds one.
      expect(() => simulateApply(observed, p)).not.toThrow();
    });
  }

  it("a replaced container keeps its image order: push before every pull, pulls before any start", () => {
    const old = svc({ image: "registry.example.com:5000/acme/svc:tree0", specHash: "svc-v0" });
    const running = [container(old, 0, "alpha"), container(old, 1, "beta")];
    const p = plan({ ...desired([alpha, beta], [svc()]), registry }, observe([alpha, beta], running));
    const kinds = p.changes.flatMap((change) => change.steps).map((s) => s.kind);
    expect(kinds.slice(0, 4)).toEqual(["build", "push", "pull", "start"]);
  });
});
