import { describe, expect, it } from "vitest";
import { buildImageTag, isRegistryAddress, isRepositoryPath } from "../../../src/config/index.js";
import { parse } from "./deploy-repo-fixture.js";

const HOSTS = "hosts:\n  alpha: { docker: local, address: 127.0.0.1 }\n";
const BUILT = "name: web\nbuild: { context: services/api }\nport: 8080\n";
const PULLED = "name: api\nimage: registry.example.com/acme/api:1.4\nport: 8080\n";

function parseWith(registry: string) {
  return parse({ "dockhand.yaml": `${HOSTS}${registry}`, "apps/web.yaml": BUILT, "apps/api.yaml": PULLED });
}

describe("dockhand.yaml registry", () => {
  it("is absent unless set, and builds keep their local name", () => {
    const state = parseWith("");
    expect(state).not.toHaveProperty("registry");
    expect(state.apps.find((a) => a.name === "web")?.image).toMatch(/^dockhand\/web:[0-9a-f]{12}$/);
  });

  it("names builds <address>/<namespace>/<app>:<tag>, with the tag a build without a registry gets", () => {
    const local = parseWith("").apps.find((a) => a.name === "web");
    const state = parseWith("registry: { address: registry.example.com:5000, namespace: acme/team }\n");
    expect(state.registry).toEqual({ address: "registry.example.com:5000", namespace: "acme/team" });
    const web = state.apps.find((a) => a.name === "web");
    const tag = local?.image.split(":")[1];
    expect(web?.image).toBe(`registry.example.com:5000/acme/team/web:${tag}`);
    // The image is part of what shapes the container: moving builds to a registry rolls them.
    expect(web?.specHash).not.toBe(local?.specHash);
    expect(web?.specFields.image).not.toBe(local?.specFields.image);
  });

  it("defaults the namespace to dockhand", () => {
    const state = parseWith("registry: { address: 127.0.0.1:5000 }\n");
    expect(state.registry).toEqual({ address: "127.0.0.1:5000", namespace: "dockhand" });
    expect(state.apps.find((a) => a.name === "web")?.image).toMatch(/^127\.0\.0\.1:5000\/dockhand\/web:[0-9a-f]{12}$/);
  });

  it("leaves image: apps as written", () => {
    const before = parseWith("").apps.find((a) => a.name === "api");
    const after = parseWith("registry: { address: registry.example.com }\n").apps.find((a) => a.name === "api");
    expect(after).toEqual(before);
  });

  it("keeps the local tag format it builds on", () => {
    expect(buildImageTag("web", "tree", "Dockerfile")).toMatch(/^dockhand\/web:[0-9a-f]{12}$/);
  });
});

describe("registry address and namespace checks", () => {
  const addresses: Array<[string, boolean]> = [
    ["registry.example.com", true],
    ["registry.example.com:5000", true],
    ["127.0.0.1:5000", true],
    ["localhost", true],
    ["localhost:5000", true],
    ["ghcr.io", true],
    ["acme", false],
    ["https://registry.example.com", false],
    ["registry.example.com/acme", false],
    ["registry.example.com:0", false],
    ["registry.example.com:70000", false],
    ["Registry.Example.com", false],
    ["", false],
  ];
  it.each(addresses)("address %j is %s", (text, ok) => expect(isRegistryAddress(text)).toBe(ok));

  const namespaces: Array<[string, boolean]> = [
    ["acme", true],
    ["acme/web-team", true],
    ["a.b_c__d--e", true],
    ["Acme", false],
    ["acme/", false],
    ["/acme", false],
    ["ac me", false],
    ["-acme", false],
  ];
  it.each(namespaces)("namespace %j is %s", (text, ok) => expect(isRepositoryPath(text)).toBe(ok));
});
