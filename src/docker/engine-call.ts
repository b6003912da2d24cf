import type { DockhandError } from "../model/index.js";
import type { Engine } from "./connect-engine.js";
import { DOCKER_DEFAULTS } from "./docker-defaults.js";
import { engineError } from "./engine-error.js";

/**
 * Run one short API call against `engine` with a deadline, mapping whatever it
 * throws to a DockhandError that names the host and the action. The race is
 * needed because some dockerode calls (image inspect) ignore `abortSignal`.
 */
export async function engineCall<T>(
  engine: Engine,
  action: string,
  call: (abortSignal: AbortSignal) => Promise<T>,
  timeoutMs: number = DOCKER_DEFAULTS.requestTimeoutMs,
): Promise<T> {
  const signal = AbortSignal.timeout(timeoutMs);
  const timedOut = new Promise<never>((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  try {
    return await Promise.race([call(signal), timedOut]);
  } catch (err) {
    throw engineError(engine, action, err, timeoutMs) satisfies DockhandError;
  }
}
