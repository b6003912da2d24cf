import type { LineSink } from "../model/index.js";
import { DockhandError } from "../model/index.js";
import type { Engine } from "./connect-engine.js";
import { engineError } from "./engine-error.js";
import { followProgress, progressError } from "./follow-progress.js";

/** Pull `image` onto one engine; progress bars are left out of the log, status changes go in. */
export async function pullImage(engine: Engine, image: string, log: LineSink): Promise<void> {
  const action = `pull ${image}`;
  let failure: string | undefined;
  try {
    const progress = await engine.docker.pull(image);
    await followProgress(engine.docker, progress, (event) => {
      failure ??= progressError(event);
      if (event.status !== undefined && event.progress === undefined) {
        log(event.id ? `${event.id}: ${event.status}` : event.status);
      }
    });
  } catch (err) {
    throw engineError(engine, action, err);
  }
  if (failure !== undefined) {
    throw new DockhandError("DOCKHAND_E_DOCKER", `host ${engine.host.name}: ${action} failed: ${failure}`);
  }
}
