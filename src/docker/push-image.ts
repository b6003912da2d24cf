import type { LineSink } from "../model/index.js";
import { DockhandError } from "../model/index.js";
import type { Engine } from "./connect-engine.js";
import { engineError, engineMessage, engineStatus } from "./engine-error.js";
import { followProgress, progressError } from "./follow-progress.js";
import type { RegistryAuth } from "./registry-auth.js";
import { registryFailure } from "./registry-failure.js";

/**
 * Push `image` from one engine to the registry its reference names, with
 * dockhand's credentials for it. The engine reports refusals in-band (HTTP
 * 200, then an error line), so the whole progress stream is read.
 */
export async function pushImage(engine: Engine, image: string, auth: RegistryAuth, log: LineSink): Promise<void> {
  const action = `push ${image}`;
  let failure: string | undefined;
  try {
    // The engine refuses a push without X-Registry-Auth ("missing X-Registry-Auth"): send an empty one when anonymous.
    const progress = await engine.docker.getImage(image).push({ authconfig: auth.config ?? {} });
    await followProgress(engine.docker, progress, (event) => {
      failure ??= progressError(event);
      if (event.status !== undefined && event.progress === undefined) {
        log(event.id ? `${event.id}: ${event.status}` : event.status);
      }
    });
  } catch (err) {
    const refused = engineStatus(err) === undefined ? undefined : engineMessage(err);
    throw (refused && registryFailure(engine, "push", image, auth, refused, err)) || engineError(engine, action, err);
  }
  if (failure !== undefined) {
    throw (
      registryFailure(engine, "push", image, auth, failure) ??
      new DockhandError("DOCKHAND_E_DOCKER", `host ${engine.host.name}: ${action} failed: ${failure}`)
    );
  }
}
