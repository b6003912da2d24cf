import { describe, expect, it } from "vitest";
import { computeSpecHash, UNRESOLVED_SECRET, withSecretDigests } from "../../../src/config/index.js";
import type { AppSpec } from "../../../src/model/index.js";
import { DOCKHAND_YAML, parse } from "./deploy-repo-fixture.js";

const HEAD = "name: web\nimage: busybox:stable\nport: 8080\n";

function app(extra = ""): AppSpec {
  const apps = parse({ "dockhand.yaml": DOCKHAND_YAML, "apps/web.yaml": `${HEAD}${extra}` }).apps;
  expect(apps).toHaveLength(1);
  return apps[0]!;
}

describe("container keys (issue 4)", () => {
  it("reads secrets, hooks, resources, volumes, command and stopTimeout", () => {
    const spec = app(
      [
        "secrets: [DATABASE_URL, API_KEY]",
        "hooks: { beforeDeploy: ./migrate --yes }",
        "resources: { memory: 256m, cpus: 0.5 }",
        "volumes:",
        "  - { name: data, target: /data }",
        "  - { name: cache, target: /cache, shared: true, readOnly: true }",
        "  - { source: /etc/ssl/certs, target: /etc/ssl/certs }",
        "command: [httpd, -f, -p, 8080]",
        "stopTimeout: 30s",
        "",
      ].join("\n"),
    );
    expect(spec).toMatchObject({
      secrets: ["DATABASE_URL", "API_KEY"],
      hooks: { beforeDeploy: ["/bin/sh", "-c", "./migrate --yes"], timeoutMs: 600_000 },
      resources: { memoryBytes: 256 * 1024 * 1024, cpus: 0.5 },
      volumes: [
        { kind: "volume", name: "data", target: "/data", shared: false, readOnly: false },
        { kind: "volume", name: "cache", target: "/cache", shared: true, readOnly: true },
        { kind: "bind", source: "/etc/ssl/certs", target: "/etc/ssl/certs" },
      ],
      // A number in a command stays the text it was written as.
      command: ["httpd", "-f", "-p", "8080"],
      stopTimeoutMs: 30_000,
    });
  });

  it("leaves every key out of the spec, and the hash as before, when the app does not set it", () => {
    const spec = app();
    for (const key of ["secrets", "hooks", "resources", "volumes", "command", "stopTimeoutMs"]) {
      expect(spec).not.toHaveProperty(key);
    }
    expect(spec.specHash).toBe(computeSpecHash({ image: "busybox:stable", port: 8080, environment: {} }));
  });

  it.each([
    ["secrets", "secrets: [TOKEN]\n", "secret.TOKEN"],
    ["resources", "resources: { memory: 1g }\n", "resources"],
    ["volumes", "volumes: [{ name: data, target: /data }]\n", "volumes"],
    ["command", "command: sleep 1\n", "command"],
    ["stopTimeout", "stopTimeout: 1m\n", "stopTimeout"],
  ])("rolls the app when %s changes, and names the field", (_key, extra, field) => {
    const before = app();
    const after = app(extra);
    expect(after.specHash).not.toBe(before.specHash);
    expect(Object.keys(after.specFields).filter((f) => before.specFields[f] !== after.specFields[f])).toEqual([field]);
  });

  it("does not roll the app for a hook: it shapes no container", () => {
    expect(app("hooks: { beforeDeploy: [true] }\n").specHash).toBe(app().specHash);
  });

  it("hashes secrets over their keyed digests: a rotated value rolls the app, its value never shows", () => {
    const spec = app("secrets: [TOKEN]\n");
    expect(spec.specFields["secret.TOKEN"]).toBeDefined();
    const one = withSecretDigests(spec, { TOKEN: "digest-of-one" });
    const same = withSecretDigests(spec, { TOKEN: "digest-of-one" });
    const two = withSecretDigests(spec, { TOKEN: "digest-of-two" });
    expect(same.specHash).toBe(one.specHash);
    expect(two.specHash).not.toBe(one.specHash);
    expect(two.specFields["secret.TOKEN"]).not.toBe(one.specFields["secret.TOKEN"]);
    expect(one.specHash).not.toBe(spec.specHash);
    // Unresolved, a secret hashes as a fixed placeholder: the same as resolving it to that text.
    expect(withSecretDigests(spec, { TOKEN: UNRESOLVED_SECRET }).specHash).toBe(spec.specHash);
  });
});
