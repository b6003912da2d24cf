import { describe, expect, it } from "vitest";
import { compareEnvs, normalizeImageRef } from "../../../src/planner/index.js";

describe("normalizeImageRef", () => {
  const cases = [
    ["busybox", "busybox:latest"],
    ["busybox:stable", "busybox:stable"],
    ["docker.io/library/busybox:stable", "busybox:stable"],
    ["docker.io/acme/web", "acme/web:latest"],
    ["index.docker.io/library/nginx:1.27", "nginx:1.27"],
    ["registry.example.com:5000/acme/web", "registry.example.com:5000/acme/web:latest"],
    ["registry.example.com:5000/acme/web:1.4.2", "registry.example.com:5000/acme/web:1.4.2"],
    ["busybox@sha256:abc", "busybox@sha256:abc"],
  ] as const;
  for (const [ref, want] of cases) {
    it(`${ref} → ${want}`, () => expect(normalizeImageRef(ref)).toBe(want));
  }
});

describe("compareEnvs", () => {
  it("production first, previews by number, then others by name", () => {
    const envs = ["staging", "pr-10", "production", "pr-9", "alpha", "pr-100"];
    expect([...envs].sort(compareEnvs)).toEqual(["production", "pr-9", "pr-10", "pr-100", "alpha", "staging"]);
  });
});
