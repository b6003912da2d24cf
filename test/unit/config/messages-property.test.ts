import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { problemsOrNone } from "./deploy-repo-fixture.js";

const APP_KEYS = ["name", "build", "image", "replicas", "port", "hostnames", "env", "health", "rollout", "placement"];
const HOST_KEYS = ["docker", "tls", "address", "capacity", "labels"];

/** zod's own wording ("Invalid input: expected string, received number") must never reach a user. */
function assertOwnWording(lines: string[]): void {
  for (const line of lines) {
    expect(line).not.toMatch(/Invalid|received|undefined/);
    expect(line).toMatch(/^(apps\/[a-z]+\.yaml|dockhand\.yaml):\d+:\d+ /);
  }
}

describe("messages for arbitrary values", () => {
  it("are dockhand's wording, located, for any value of any app key", () => {
    fc.assert(
      fc.property(fc.constantFrom(...APP_KEYS), fc.jsonValue({ maxDepth: 2 }), (key, value) => {
        const app = { name: "web", image: "busybox:stable", port: 8080, [key]: value };
        assertOwnWording(problemsOrNone({ "apps/web.yaml": stringify(app) }));
      }),
      { numRuns: 300 },
    );
  });

  it("are dockhand's wording, located, for any value of any host key", () => {
    fc.assert(
      fc.property(fc.constantFrom(...HOST_KEYS), fc.jsonValue({ maxDepth: 2 }), (key, value) => {
        const host = { docker: "local", address: "127.0.0.1", [key]: value };
        assertOwnWording(problemsOrNone({ "dockhand.yaml": stringify({ hosts: { alpha: host } }) }));
      }),
      { numRuns: 300 },
    );
  });
});
