import type { LineSink } from "../model/index.js";
import { DockhandError } from "../model/index.js";
import type { Engine } from "./connect-engine.js";
import { engineError, engineMessage, engineStatus } from "./engine-error.js";
import { followProgress, progressError } from "./follow-progress.js";
import type { RegistryAuth } from "./registry-auth.js";
import { registryFailure } from "./registry-failure.js";

/**
 * Pull `image` onto one engine with dockhand's credentials for its registry;
 * progress bars are left out of the log, status changes go in. A missing
 * image or refused credentials become a DOCKHAND_E_REGISTRY naming host and reference.
 */
export async function pullImage(engine: Engine, image: string, auth: RegistryAuth, log: LineSink): Promise<void> {
  const action = `pull ${image}`;
  let failure: string | undefined;
  try {
    // An empty authconfig still sends X-Registry-Auth: anonymous, as the docker CLI does.
    const progress = await engine.docker.pull(image, { authconfig: auth.config ?? {} });
    await followProgress(engine.docker, progress, (event) => {
      failure ??= progressError(event);
      if (event.status !== undefined && event.progress === undefined) {
        log(event.id ? `${event.id}: ${event.status}` : event.status);
      }
    });
  } catch (err) {
    const refused = engineStatus(err) === undefined ? undefined : engineMessage(err);
    throw (refused && registryFailure(engine, "pull", image, auth, refused, err)) || engineError(engine, action, err);
  }
  if (failure !== undefined) {
    throw (
      registryFailure(engine, "pull", image, auth, failure) ??
      new DockhandError("DOCKHAND_E_DOCKER", `host ${engine.host.name}: ${action} failed: ${failure}`)
    );
  }
}
