import { readFile } from "node:fs/promises";
import { createDockerHosts } from "../docker/index.js";
import { type DesiredState, DockhandError, type ObservedState } from "../model/index.js";
import type { DockhandEnv } from "./env.js";

/** What runs on the hosts, or (with `--observed FILE`) what a file says ran, so a plan needs no engine. */
export async function loadObserved(
  env: DockhandEnv,
  desired: DesiredState,
  observedFile?: string,
): Promise<ObservedState> {
  if (observedFile) {
    try {
      return JSON.parse(await readFile(observedFile, "utf8")) as ObservedState;
    } catch (cause) {
      throw new DockhandError(
        "DOCKHAND_E_USAGE",
        `--observed ${observedFile}: not a readable observed-state JSON file (write one with "dockhand observe --json")`,
        { cause },
      );
    }
  }
  const docker = createDockerHosts(desired.hosts);
  try {
    return await docker.observe(env.instance);
  } finally {
    await docker.close();
  }
}
