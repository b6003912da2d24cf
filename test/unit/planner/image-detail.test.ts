import { describe, expect, it } from "vitest";
import type { Step } from "../../../src/model/index.js";
import { imageDetail } from "../../../src/planner/image-detail.js";
import { plan, renderPlanMarkdown, renderPlanText } from "../../../src/planner/index.js";
import { built, desired, host, observe } from "./fixtures.js";

const IMG = "registry.example.com:5000/acme/svc:tree1";

const cases: Array<{ name: string; steps: Step[]; want: string | undefined }> = [
  { name: "no image steps", steps: [], want: undefined },
  {
    name: "plain pulls of an image: app are not worth a row",
    steps: [{ kind: "pull", host: "alpha", image: "web:1" }],
    want: undefined,
  },
  {
    name: "through a registry",
    steps: [
      { kind: "build", host: "alpha", image: IMG, context: "services/svc", dockerfile: "Dockerfile" },
      { kind: "push", host: "alpha", image: IMG },
      { kind: "pull", host: "beta", image: IMG },
      { kind: "pull", host: "gamma", image: IMG },
    ],
    want: `build ${IMG} on alpha; push from alpha to registry.example.com:5000; pull on beta, gamma`,
  },
  {
    name: "engine to engine",
    steps: [
      { kind: "build", host: "alpha", image: "dockhand/svc:tree1", context: "services/svc", dockerfile: "Dockerfile" },
      { kind: "ship", image: "dockhand/svc:tree1", from: "alpha", to: "beta" },
      { kind: "ship", image: "dockhand/svc:tree1", from: "alpha", to: "gamma" },
    ],
    want: "build dockhand/svc:tree1 on alpha; ship alpha → beta, gamma",
  },
  {
    name: "already built somewhere: pushed from there",
    steps: [
      { kind: "push", host: "beta", image: IMG },
      { kind: "pull", host: "alpha", image: IMG },
    ],
    want: "push from beta to registry.example.com:5000; pull on alpha",
  },
];

describe("imageDetail", () => {
  it.each(cases)("$name", ({ steps, want }) => expect(imageDetail(steps)).toBe(want));
});

describe("the rendered plans show how a build travels", () => {
  const hosts = [host("alpha"), host("beta")];
  const state = {
    ...desired(hosts, [built("svc", { image: IMG, replicas: 2 })]),
    registry: { address: "registry.example.com:5000", namespace: "acme" },
  };
  const p = plan(state, observe(hosts, []));
  const detail = `build ${IMG} on alpha; push from alpha to registry.example.com:5000; pull on beta`;

  it("text: an image row before the slots", () => {
    const rows = renderPlanText(p, { color: false })
      .split("\n")
      .filter((l) => /^\s+[→+~-] /.test(l));
    expect(rows[0]).toMatch(
      new RegExp(`^  → image\\s+svc\\s+production\\s+${detail.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`),
    );
    expect(rows.slice(1).every((r) => r.includes("+ create"))).toBe(true);
  });

  it("markdown: an image row in the app's table", () => {
    expect(renderPlanMarkdown(p)).toContain(`| → | image |  |  | ${detail} |`);
  });
});
