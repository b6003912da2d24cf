/**
 * DockerHosts.push and .pull against the test bed's real registry
 * (127.0.0.1:5000, htpasswd auth): credentials from a docker config.json named
 * by DOCKHAND_REGISTRY_AUTH, refusals and missing references as clear errors.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerHosts } from "../../../src/docker/index.js";
import {
  authsFor,
  deleteFromRegistry,
  registryTags,
  registryTestEngines,
  removeImages,
  seedRegistry,
  writeAuthFile,
} from "../../support/registry-seed.js";
import { testbedHosts, testbedRegistry } from "../../support/testbed.js";
import { failureOf, lineCollector } from "./docker-fixtures.js";

const run = `t${randomBytes(4).toString("hex")}`;
const reg = testbedRegistry();
const repository = `dockhand-test/${run}/web`;
const seeded = `${reg.address}/${repository}:seed`;
const built = `${reg.address}/${repository}:built`;
const missing = `${reg.address}/${repository}:absent`;

function hostsWith(auth: string | undefined): DockerHosts {
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKHAND_REGISTRY_AUTH: auth ?? "" };
  if (auth === undefined) env.HOME = writeAuthFile("{}").replace(/\/config\.json$/, "");
  return new DockerHosts(testbedHosts(), { env });
}

const good = hostsWith(reg.authFile);
const opened: DockerHosts[] = [good];

beforeAll(async () => {
  await seedRegistry(repository, "seed");
  await registryTestEngines()
    .alpha.getImage("busybox:stable")
    .tag({ repo: `${reg.address}/${repository}`, tag: "built" });
});

afterAll(async () => {
  await Promise.all(opened.map((h) => h.close()));
  await removeImages([seeded, built]);
  for (const tag of ["seed", "built"]) await deleteFromRegistry(repository, tag);
});

describe("DockerHosts.push with dockhand's credentials", () => {
  it("pushes an image from alpha to the registry, output in the log", async () => {
    const log = lineCollector();
    await good.push("alpha", built, log.sink);
    expect(await registryTags(repository)).toContain("built");
    expect(log.lines.some((line) => /digest: sha256:[0-9a-f]{64}/.test(line))).toBe(true);
  });

  it("wrong credentials: names the registry, the reference and the file they came from", async () => {
    const file = writeAuthFile(authsFor("not-the-password"));
    const hosts = hostsWith(file);
    opened.push(hosts);
    const err = await failureOf(hosts.push("alpha", built, () => undefined));
    expect(err.code).toBe("DOCKHAND_E_REGISTRY");
    expect(err.message).toBe(
      `host alpha: registry ${reg.address} refused the push of ${built} (unauthorized: authentication required): ` +
        `the credentials for ${reg.address} in ${file} (DOCKHAND_REGISTRY_AUTH) were refused`,
    );
  });

  it("no credentials for a registry that wants them: says where they are read from", async () => {
    const file = writeAuthFile({ auths: { "other.example.com": { auth: "eDp5" } } });
    const hosts = hostsWith(file);
    opened.push(hosts);
    const err = await failureOf(hosts.push("alpha", built, () => undefined));
    expect(err.code).toBe("DOCKHAND_E_REGISTRY");
    expect(err.message).toContain(`host alpha: registry ${reg.address} refused the push of ${built}`);
    expect(err.message).toContain(`dockhand has no credentials for ${reg.address} in ${file} (DOCKHAND_REGISTRY_AUTH)`);
  });

  it("an image the host does not have: says so", async () => {
    const err = await failureOf(good.push("beta", missing, () => undefined));
    expect(err.code).toBe("DOCKHAND_E_REGISTRY");
    expect(err.message).toMatch(
      new RegExp(`^host beta: cannot push ${missing.replace(/[./]/g, "\\$&")}: the host has no such image`),
    );
  });
});

describe("DockerHosts.pull with dockhand's credentials", () => {
  it("pulls from the registry onto beta (over TLS to the engine; the engine reaches the registry)", async () => {
    await removeImages([seeded]);
    expect(await good.hasImage("beta", seeded)).toBe(false);
    const log = lineCollector();
    await good.pull("beta", seeded, log.sink);
    expect(await good.hasImage("beta", seeded)).toBe(true);
    expect(log.lines.some((line) => line.startsWith("Digest: sha256:"))).toBe(true);
  });

  it("a missing reference: names the host and the reference", async () => {
    const err = await failureOf(good.pull("beta", missing, () => undefined));
    expect(err.code).toBe("DOCKHAND_E_REGISTRY");
    expect(err.message).toBe(
      `host beta: image ${missing} not found in registry ${reg.address} ` +
        `(manifest for ${missing} not found: manifest unknown: manifest unknown)`,
    );
  });

  it("wrong credentials: names host, registry, reference and the credentials file", async () => {
    const file = writeAuthFile(authsFor("wrong"));
    const hosts = hostsWith(file);
    opened.push(hosts);
    const err = await failureOf(hosts.pull("alpha", seeded, () => undefined));
    expect(err.code).toBe("DOCKHAND_E_REGISTRY");
    expect(err.message).toBe(
      `host alpha: registry ${reg.address} refused the pull of ${seeded} (unauthorized: authentication required): ` +
        `the credentials for ${reg.address} in ${file} (DOCKHAND_REGISTRY_AUTH) were refused`,
    );
  });

  it("no credentials file at all (HOME without .docker/config.json): an anonymous pull, refused with where to put them", async () => {
    const hosts = hostsWith(undefined);
    opened.push(hosts);
    const err = await failureOf(hosts.pull("alpha", seeded, () => undefined));
    expect(err.code).toBe("DOCKHAND_E_REGISTRY");
    expect(err.message).toMatch(
      /^host alpha: registry 127\.0\.0\.1:5000 refused the pull of .*no basic auth credentials/,
    );
    expect(err.message).toMatch(
      /dockhand has no credentials for 127\.0\.0\.1:5000 in \/\S+\/\.docker\/config\.json \(/,
    );
  });

  it("credentials from a credential helper (credsStore, as Docker Desktop keeps them): the pull goes through", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dockhand-helper-"));
    const helper = join(dir, "docker-credential-dhtest");
    const answer = JSON.stringify({ ServerURL: reg.address, Username: reg.user, Secret: reg.password });
    writeFileSync(helper, `#!/bin/sh\nread -r server\n[ "$server" = "${reg.address}" ] || exit 4\necho '${answer}'\n`);
    chmodSync(helper, 0o755);
    const file = writeAuthFile({ credsStore: "dhtest" });
    const env = { ...process.env, DOCKHAND_REGISTRY_AUTH: file, PATH: `${dir}:${process.env.PATH ?? ""}` };
    const hosts = new DockerHosts(testbedHosts(), { env });
    opened.push(hosts);
    await removeImages([seeded]);
    await hosts.pull("alpha", seeded, () => undefined);
    expect(await hosts.hasImage("alpha", seeded)).toBe(true);
  });

  it("DOCKHAND_REGISTRY_AUTH naming a file that is not there: names the file", async () => {
    const hosts = hostsWith(`/nonexistent/${run}/config.json`);
    opened.push(hosts);
    const err = await failureOf(hosts.pull("alpha", seeded, () => undefined));
    expect(err.code).toBe("DOCKHAND_E_REGISTRY");
    expect(err.message).toMatch(
      new RegExp(
        `^cannot read registry credentials /nonexistent/${run}/config\\.json \\(DOCKHAND_REGISTRY_AUTH\\): ENOENT`,
      ),
    );
  });
});
