import { DockhandError } from "../model/index.js";
import type { Engine } from "./connect-engine.js";
import { engineCall } from "./engine-call.js";
import { engineStatus } from "./engine-error.js";

/** Whether `image` (a reference or an id) is on the engine; other failures throw. */
export async function imageExists(engine: Engine, image: string): Promise<boolean> {
  try {
    await engineCall(engine, `inspect image ${image}`, () => engine.docker.getImage(image).inspect());
    return true;
  } catch (err) {
    if (err instanceof DockhandError && engineStatus(err.cause) === 404) return false;
    throw err;
  }
}
