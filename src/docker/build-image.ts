/**
 * Build an image on one engine from a tar stream of the context. The output
 * goes line by line to the job log; a failure carries the last lines, because
 * that is where the reason is.
 */
import type { Readable } from "node:stream";
import type { BuildOptions, LineSink } from "../model/index.js";
import { DockhandError } from "../model/index.js";
import type { Engine } from "./connect-engine.js";
import { DOCKER_DEFAULTS } from "./docker-defaults.js";
import { engineError, engineMessage } from "./engine-error.js";
import { followProgress, type ProgressEvent, progressError } from "./follow-progress.js";
import { imageExists } from "./image-exists.js";

/** Keeps the last `size` lines of output for the error message. */
class Tail {
  private readonly lines: string[] = [];
  constructor(private readonly size: number) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.shift();
  }
  text(): string {
    return this.lines.length === 0 ? "(no output)" : this.lines.map((l) => `  ${l}`).join("\n");
  }
}

function buildFailed(engine: Engine, image: string, why: string, tail: Tail, cause?: unknown): DockhandError {
  const message = `build of ${image} on host ${engine.host.name} failed: ${why}\nlast build output:\n${tail.text()}`;
  return new DockhandError("DOCKHAND_E_BUILD", message, { cause });
}

/** Sends each line of `stream` events to the log and the tail; keeps the first in-band error. */
function progressHandler(
  tail: Tail,
  log: LineSink,
): { onEvent: (event: ProgressEvent) => void; failure: () => string | undefined } {
  let failure: string | undefined;
  const onEvent = (event: ProgressEvent) => {
    for (const raw of (event.stream ?? "").split("\n")) {
      const line = raw.trimEnd();
      if (line === "") continue;
      log(line);
      tail.push(line);
    }
    const error = progressError(event);
    if (error !== undefined && failure === undefined) {
      failure = error;
      log(`error: ${error}`);
    }
  };
  return { onEvent, failure: () => failure };
}

export async function buildImage(
  engine: Engine,
  image: string,
  context: Readable,
  dockerfile: string,
  log: LineSink,
  options: BuildOptions = {},
): Promise<void> {
  const tail = new Tail(DOCKER_DEFAULTS.buildTailLines);
  const progress = progressHandler(tail, log);
  // A context that breaks mid-upload can look like a short, successful build; remember it.
  let contextError: Error | undefined;
  context.on("error", (err) => {
    contextError = err;
  });
  const contextBroke = (err: Error) =>
    buildFailed(engine, image, `reading the build context failed: ${err.message}`, tail, err);
  try {
    const output = await engine.docker.buildImage(context, {
      t: image,
      dockerfile,
      rm: true,
      forcerm: true,
      ...(options.args ? { buildargs: options.args } : {}),
      ...(options.target ? { target: options.target } : {}),
    });
    await followProgress(engine.docker, output, progress.onEvent);
  } catch (err) {
    if (contextError) throw contextBroke(contextError);
    const mapped = engineError(engine, `build ${image}`, err);
    throw mapped.code === "DOCKHAND_E_HOST_UNREACHABLE"
      ? mapped
      : buildFailed(engine, image, engineMessage(err), tail, err);
  }
  if (contextError) throw contextBroke(contextError);
  const failure = progress.failure();
  if (failure !== undefined) throw buildFailed(engine, image, failure, tail);
  if (!(await imageExists(engine, image))) {
    throw buildFailed(engine, image, "the engine reported no error but the image is not there", tail);
  }
}
