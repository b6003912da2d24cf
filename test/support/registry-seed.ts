/**
 * Test helpers for the test bed's registry: put an image into it (busybox:stable
 * under a unique name, pushed with the docker CLI's own credentials), read
 * its tags back over the registry API, and remove what a test pushed.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { testbed, testbedRegistry } from "./testbed.js";

/** Raw clients of both engines (unix sockets), for setup the DockerPort does not offer. */
export function registryTestEngines(): Record<"alpha" | "beta", Docker> {
  const bed = testbed();
  const socket = (endpoint: string) => endpoint.replace(/^unix:\/\//, "");
  return {
    alpha: new Docker({ socketPath: socket(bed.alpha) }),
    beta: new Docker({ socketPath: socket(bed.betaSocket) }),
  };
}

function basicAuth(): string {
  const reg = testbedRegistry();
  return `Basic ${Buffer.from(`${reg.user}:${reg.password}`).toString("base64")}`;
}

/** The tags the registry holds for `repository` (a path under the address); empty when it has none. */
export async function registryTags(repository: string): Promise<string[]> {
  const reg = testbedRegistry();
  const res = await fetch(`http://${reg.address}/v2/${repository}/tags/list`, {
    headers: { authorization: basicAuth() },
  });
  if (res.status === 404) return [];
  if (!res.ok) throw new Error(`registry tags of ${repository}: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { tags?: string[] | null };
  return body.tags ?? [];
}

/** Delete a manifest by tag (the registry runs with delete enabled); missing is fine. */
export async function deleteFromRegistry(repository: string, tag: string): Promise<void> {
  const reg = testbedRegistry();
  const accept = "application/vnd.docker.distribution.manifest.v2+json";
  const head = await fetch(`http://${reg.address}/v2/${repository}/manifests/${tag}`, {
    method: "HEAD",
    headers: { authorization: basicAuth(), accept },
  });
  const digest = head.headers.get("docker-content-digest");
  if (!head.ok || !digest) return;
  await fetch(`http://${reg.address}/v2/${repository}/manifests/${digest}`, {
    method: "DELETE",
    headers: { authorization: basicAuth() },
  });
}

/** Push busybox:stable from alpha as `<registry>/<repository>:<tag>`; resolves with the reference. */
export async function seedRegistry(repository: string, tag: string): Promise<string> {
  const reg = testbedRegistry();
  const { alpha } = registryTestEngines();
  const ref = `${reg.address}/${repository}:${tag}`;
  await alpha.getImage("busybox:stable").tag({ repo: `${reg.address}/${repository}`, tag });
  const stream = await alpha
    .getImage(ref)
    .push({ authconfig: { username: reg.user, password: reg.password, serveraddress: reg.address } });
  const failure = await new Promise<string | undefined>((resolve, reject) => {
    let error: string | undefined;
    alpha.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve(error)),
      (event: { error?: string }) => {
        error ??= event.error;
      },
    );
  });
  if (failure) throw new Error(`seeding the registry with ${ref} failed: ${failure}`);
  // Only the registry should hold it now: the hosts must pull it.
  await alpha.getImage(ref).remove();
  return ref;
}

/** A docker config.json (as `docker login` writes it) in a fresh temp dir, for DOCKHAND_REGISTRY_AUTH. */
export function writeAuthFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "dockhand-registry-auth-"));
  const path = join(dir, "config.json");
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

/** `{"auths": {address: {auth}}}` for the test bed registry with this password. */
export function authsFor(password: string): unknown {
  const reg = testbedRegistry();
  return { auths: { [reg.address]: { auth: Buffer.from(`${reg.user}:${password}`).toString("base64") } } };
}

/** Remove `refs` from both engines; missing ones are fine. */
export async function removeImages(refs: readonly string[]): Promise<void> {
  for (const docker of Object.values(registryTestEngines())) {
    for (const ref of refs)
      await docker
        .getImage(ref)
        .remove({ force: true })
        .catch(() => undefined);
  }
}
