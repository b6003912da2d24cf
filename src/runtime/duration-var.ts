import { parseDuration } from "../config/index.js";
import { DockhandError } from "../model/index.js";

/**
 * A duration variable as people write it ("60s", "5m", "1h30m"), in ms;
 * `fallback` when unset or blank. Refuses text that is no duration, and
 * durations under `min` (0 only when `zeroAllowed`), saying what would do.
 */
export function readDurationVar(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: string,
  min: number,
  zeroAllowed = false,
): number {
  const text = (env[name] ?? "").trim() || fallback;
  const ms = text === "0" ? 0 : parseDuration(text);
  if (ms === undefined || (ms === 0 && !zeroAllowed) || (ms > 0 && ms < min)) {
    const zero = zeroAllowed ? ", or 0 to turn it off" : "";
    throw new DockhandError(
      "DOCKHAND_E_USAGE",
      `${name} must be a duration like "${fallback}" of at least ${min} ms${zero}, got "${env[name]}"`,
    );
  }
  return ms;
}
