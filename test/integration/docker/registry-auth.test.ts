/**
 * Where dockhand finds registry credentials: a docker config.json on disk
 * (DOCKHAND_REGISTRY_AUTH, DOCKER_CONFIG, HOME), and credential helpers run
 * as real programs (small scripts speaking Docker's helper protocol).
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { credentialsHint, registryAuthFor, registryOf } from "../../../src/docker/registry-auth.js";
import { writeAuthFile } from "../../support/registry-seed.js";
import { failureOf } from "./docker-fixtures.js";

/** A PATH holding one `docker-credential-<name>` whose `get` runs `body` (stdin: the server address). */
function helperPath(name: string, body: string): string {
  const dir = mkdtempSync(join(tmpdir(), "dockhand-helper-"));
  const program = join(dir, `docker-credential-${name}`);
  writeFileSync(program, `#!/bin/sh\n[ "$1" = get ] || exit 9\nread -r server\n${body}\n`);
  chmodSync(program, 0o755);
  return `${dir}:/usr/bin:/bin`;
}

const b64 = (text: string) => Buffer.from(text).toString("base64");
const image = "registry.example.com:5000/acme/web:1";

describe("registryOf: Docker's rule for the first part of a reference", () => {
  const cases: Array<[string, string]> = [
    ["busybox", "docker.io"],
    ["busybox:stable", "docker.io"],
    ["acme/web:1", "docker.io"],
    ["docker.io/acme/web:1", "docker.io"],
    ["index.docker.io/library/busybox", "docker.io"],
    ["registry.example.com/acme/web:1", "registry.example.com"],
    ["127.0.0.1:5000/dockhand/web:3f2a", "127.0.0.1:5000"],
    ["localhost/web", "localhost"],
    ["ghcr.io/acme/web@sha256:abc", "ghcr.io"],
  ];
  it.each(cases)("%s ─▶ %s", (ref, registry) => expect(registryOf(ref)).toBe(registry));
});

describe("registryAuthFor: auths", () => {
  const cases: Array<{ name: string; file: unknown; want: unknown }> = [
    {
      name: "auth (base64 user:password, as docker login writes it) is decoded: the engine reads username and password",
      file: { auths: { "registry.example.com:5000": { auth: b64("ci:s3cr:et") } } },
      want: { username: "ci", password: "s3cr:et", serveraddress: "registry.example.com:5000" },
    },
    {
      name: "a key with a scheme and a path matches",
      file: { auths: { "https://registry.example.com:5000/v1/": { username: "u", password: "p" } } },
      want: { username: "u", password: "p", serveraddress: "registry.example.com:5000" },
    },
    {
      name: "an identity token is passed on",
      file: { auths: { "registry.example.com:5000": { identitytoken: "tok" } } },
      want: { identitytoken: "tok", serveraddress: "registry.example.com:5000" },
    },
    {
      name: "another registry's entry is not used (credentials per registry)",
      file: { auths: { "registry.example.com": { auth: b64("a:b") } } },
      want: undefined,
    },
  ];
  it.each(cases)("$name", async ({ file, want }) => {
    const auth = await registryAuthFor(image, { DOCKHAND_REGISTRY_AUTH: writeAuthFile(file) });
    expect(auth.config).toEqual(want);
    expect(auth.registry).toBe("registry.example.com:5000");
  });

  it("Docker Hub: the index key, sent with the index server address", async () => {
    const path = writeAuthFile({ auths: { "https://index.docker.io/v1/": { auth: b64("me:pw") } } });
    expect((await registryAuthFor("acme/web:1", { DOCKHAND_REGISTRY_AUTH: path })).config).toEqual({
      username: "me",
      password: "pw",
      serveraddress: "https://index.docker.io/v1/",
    });
  });

  it("falls back to DOCKER_CONFIG, then HOME/.docker/config.json, like the docker CLI", async () => {
    const path = writeAuthFile({ auths: { "registry.example.com:5000": { auth: b64("x:y") } } });
    const dir = path.replace(/\/config\.json$/, "");
    expect((await registryAuthFor(image, { DOCKER_CONFIG: dir })).source).toBe(`${path} (DOCKER_CONFIG)`);
    const home = mkdtempSync(join(tmpdir(), "dockhand-home-"));
    mkdirSync(join(home, ".docker"));
    writeFileSync(join(home, ".docker", "config.json"), JSON.stringify({ auths: {} }));
    expect(await registryAuthFor(image, { HOME: home })).toEqual({
      registry: "registry.example.com:5000",
      source: join(home, ".docker", "config.json"),
    });
  });

  it("no file in HOME: anonymous, no error", async () => {
    const home = mkdtempSync(join(tmpdir(), "dockhand-home-"));
    expect((await registryAuthFor(image, { HOME: home })).config).toBeUndefined();
  });

  it("a file that is not a docker config.json: an error naming the file and the setting", async () => {
    const path = writeAuthFile("[1, 2]");
    const err = await failureOf(registryAuthFor(image, { DOCKHAND_REGISTRY_AUTH: path }));
    expect(err.code).toBe("DOCKHAND_E_REGISTRY");
    expect(err.message).toBe(
      `registry credentials ${path} (DOCKHAND_REGISTRY_AUTH) is not a docker config.json like {"auths": {"registry.example.com": {"auth": "<base64 user:password>"}}}`,
    );
  });

  it("the hint for a registry without credentials names the file and the fix", async () => {
    const path = writeAuthFile({ auths: {} });
    const auth = await registryAuthFor(image, { DOCKHAND_REGISTRY_AUTH: path });
    expect(credentialsHint(auth)).toBe(
      `dockhand has no credentials for registry.example.com:5000 in ${path} (DOCKHAND_REGISTRY_AUTH) ` +
        `(docker login registry.example.com:5000, or set DOCKHAND_REGISTRY_AUTH to a docker config.json with "auths" for registry.example.com:5000)`,
    );
  });
});

describe("registryAuthFor: credential helpers", () => {
  it("credHelpers for the registry: asked with the server address; its answer is used", async () => {
    const PATH = helperPath(
      "acme",
      `echo "{\\"ServerURL\\":\\"$server\\",\\"Username\\":\\"u-$server\\",\\"Secret\\":\\"s\\"}"`,
    );
    const path = writeAuthFile({ credHelpers: { "registry.example.com:5000": "acme" } });
    const auth = await registryAuthFor(image, { DOCKHAND_REGISTRY_AUTH: path, PATH });
    expect(auth).toMatchObject({ helper: "acme", fromHelper: true });
    expect(auth.config).toEqual({
      username: "u-registry.example.com:5000",
      password: "s",
      serveraddress: "registry.example.com:5000",
    });
    expect(credentialsHint(auth)).toBe(
      `the credentials for registry.example.com:5000 from credential helper docker-credential-acme (named in ${path} (DOCKHAND_REGISTRY_AUTH)) were refused`,
    );
  });

  it('credsStore; "<token>" as the user name means an identity token', async () => {
    const PATH = helperPath("store", `echo '{"ServerURL":"x","Username":"<token>","Secret":"refresh"}'`);
    const path = writeAuthFile({ credsStore: "store" });
    const auth = await registryAuthFor(image, { DOCKHAND_REGISTRY_AUTH: path, PATH });
    expect(auth.config).toEqual({ identitytoken: "refresh", serveraddress: "registry.example.com:5000" });
  });

  it("a helper without credentials for the address: auths serves, as for the docker CLI", async () => {
    const PATH = helperPath("empty", "echo 'credentials not found in native keychain'; exit 1");
    const path = writeAuthFile({ credsStore: "empty", auths: { "registry.example.com:5000": { auth: b64("a:b") } } });
    const auth = await registryAuthFor(image, { DOCKHAND_REGISTRY_AUTH: path, PATH });
    expect(auth).toMatchObject({ helper: "empty", config: { username: "a", password: "b" } });
    expect(auth.fromHelper).toBeUndefined();
  });

  it("a helper without credentials and no auths: anonymous, and the hint names the helper", async () => {
    const PATH = helperPath("empty", "echo 'credentials not found in native keychain'; exit 1");
    const path = writeAuthFile({ credsStore: "empty" });
    const auth = await registryAuthFor(image, { DOCKHAND_REGISTRY_AUTH: path, PATH });
    expect(auth.config).toBeUndefined();
    expect(credentialsHint(auth)).toContain(
      `dockhand has no credentials for registry.example.com:5000: credential helper docker-credential-empty (named in ${path} (DOCKHAND_REGISTRY_AUTH)) has none`,
    );
  });

  it("a helper that is not installed: an error naming it and the file", async () => {
    const path = writeAuthFile({ credHelpers: { "registry.example.com:5000": "nowhere" } });
    const err = await failureOf(registryAuthFor(image, { DOCKHAND_REGISTRY_AUTH: path, PATH: "/nonexistent" }));
    expect(err.code).toBe("DOCKHAND_E_REGISTRY");
    expect(err.message).toBe(
      `credential helper docker-credential-nowhere (named in ${path} (DOCKHAND_REGISTRY_AUTH)) failed for registry.example.com:5000: it is not installed (not found in PATH)`,
    );
  });

  it("a helper that fails: its exit code and first line", async () => {
    const PATH = helperPath("broken", "echo 'keychain locked' >&2; exit 3");
    const path = writeAuthFile({ credsStore: "broken" });
    const err = await failureOf(registryAuthFor(image, { DOCKHAND_REGISTRY_AUTH: path, PATH }));
    expect(err.message).toMatch(
      /docker-credential-broken .* failed for registry\.example\.com:5000: exit code 3: keychain locked$/,
    );
  });
});
