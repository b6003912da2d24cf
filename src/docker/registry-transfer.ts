/**
 * Push and pull: an image moving between one engine and a registry, with
 * dockhand's credentials for that registry. The engine reports refusals
 * in-band (HTTP 200, then an error line), so the whole progress stream is
 * read; progress bars are left out of the log, status changes go in. A
 * refused login or a missing image becomes a DOCKHAND_E_REGISTRY naming host
 * and reference.
 */
import type { LineSink } from "../model/index.js";
import { DockhandError } from "../model/index.js";
import type { Engine } from "./connect-engine.js";
import { engineError, engineMessage, engineStatus } from "./engine-error.js";
import { followProgress, progressError } from "./follow-progress.js";
import type { RegistryAuth } from "./registry-auth.js";
import { registryFailure } from "./registry-failure.js";

export function pushImage(engine: Engine, image: string, auth: RegistryAuth, log: LineSink): Promise<void> {
  // The engine refuses a push without X-Registry-Auth ("missing X-Registry-Auth"): send an empty one when anonymous.
  return transfer(engine, "push", image, auth, log, () =>
    engine.docker.getImage(image).push({ authconfig: auth.config ?? {} }),
  );
}

export function pullImage(engine: Engine, image: string, auth: RegistryAuth, log: LineSink): Promise<void> {
  // An empty authconfig still sends X-Registry-Auth: anonymous, as the docker CLI does.
  return transfer(engine, "pull", image, auth, log, () => engine.docker.pull(image, { authconfig: auth.config ?? {} }));
}

async function transfer(
  engine: Engine,
  verb: "push" | "pull",
  image: string,
  auth: RegistryAuth,
  log: LineSink,
  start: () => Promise<NodeJS.ReadableStream>,
): Promise<void> {
  const action = `${verb} ${image}`;
  let failure: string | undefined;
  try {
    await followProgress(engine.docker, await start(), (event) => {
      failure ??= progressError(event);
      if (event.status !== undefined && event.progress === undefined) {
        log(event.id ? `${event.id}: ${event.status}` : event.status);
      }
    });
  } catch (err) {
    const refused = engineStatus(err) === undefined ? undefined : engineMessage(err);
    throw (refused && registryFailure(engine, verb, image, auth, refused, err)) || engineError(engine, action, err);
  }
  if (failure !== undefined) {
    throw (
      registryFailure(engine, verb, image, auth, failure) ??
      new DockhandError("DOCKHAND_E_DOCKER", `host ${engine.host.name}: ${action} failed: ${failure}`)
    );
  }
}
