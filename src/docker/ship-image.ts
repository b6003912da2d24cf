/**
 * Copy an image between engines without a registry: the source engine's
 * `docker save` stream is the request body of the target's `docker load`.
 * Nothing touches the disk of the machine running dockhand.
 */
import { DockhandError } from "../model/index.js";
import type { Engine } from "./connect-engine.js";
import { engineError } from "./engine-error.js";
import { followProgress, progressError } from "./follow-progress.js";
import { imageExists } from "./image-exists.js";

function shipFailed(image: string, from: Engine, to: Engine, why: string, cause?: unknown): DockhandError {
  const message = `shipping ${image} from host ${from.host.name} to host ${to.host.name} failed: ${why}`;
  return new DockhandError("DOCKHAND_E_DOCKER", message, { cause });
}

/** Stream the save into the load; resolves with the first in-band error of the load, if any. */
async function streamSaveIntoLoad(image: string, from: Engine, to: Engine): Promise<string | undefined> {
  let saved: NodeJS.ReadableStream;
  try {
    saved = await from.docker.getImage(image).get();
  } catch (err) {
    throw engineError(from, `save image ${image}`, err);
  }
  let saveError: Error | undefined;
  saved.on("error", (err: Error) => {
    saveError = err;
  });
  let loadError: string | undefined;
  try {
    const progress = await to.docker.loadImage(saved, { quiet: true });
    await followProgress(to.docker, progress, (event) => {
      loadError ??= progressError(event);
    });
  } catch (err) {
    // Stop reading from the source engine: nobody is listening any more.
    (saved as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    if (saveError) throw engineError(from, `save image ${image}`, saveError);
    throw engineError(to, `load image ${image}`, err);
  }
  if (saveError) throw engineError(from, `save image ${image}`, saveError);
  return loadError;
}

export async function shipImage(image: string, from: Engine, to: Engine): Promise<void> {
  if (!(await imageExists(from, image)))
    throw shipFailed(image, from, to, `host ${from.host.name} has no image ${image}`);
  if (from === to) return;
  const loadError = await streamSaveIntoLoad(image, from, to);
  if (loadError !== undefined) throw shipFailed(image, from, to, `the load was refused: ${loadError}`);
  if (!(await imageExists(to, image))) {
    throw shipFailed(image, from, to, `the load finished but host ${to.host.name} has no image ${image}`);
  }
}
