/** The containers a test's dockhand instance made on the test bed engines, and their removal after the test. */
import type { DockerPort, ObservedContainer } from "../../src/model/index.js";

export async function containersOf(docker: DockerPort, instance: string): Promise<ObservedContainer[]> {
  const observed = await docker.observe(instance);
  return observed.hosts.flatMap((h) => h.containers);
}

/** Every container of `instance` on every host, running or not; one already gone is no error. */
export async function removeContainersOf(docker: DockerPort, instance: string): Promise<void> {
  for (const c of await containersOf(docker, instance)) await docker.remove(c.host, c.id).catch(() => undefined);
}
