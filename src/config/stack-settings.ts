/**
 * What makes an app a web app, a worker or a stateful service, from its
 * validated file: its port and fixed host port, its env split into plain
 * values and references, and the rollout strategy those imply.
 */
import type { AppSpec, RolloutStrategy } from "../model/index.js";
import type { AppFile } from "./app-schema.js";
import { splitEnvironment } from "./env-references.js";

export function stackSettings(app: AppFile): Pick<AppSpec, "port" | "hostPort" | "environment" | "envRefs"> {
  return {
    ...(app.port !== undefined ? { port: app.port } : {}),
    ...(app.hostPort !== undefined ? { hostPort: app.hostPort } : {}),
    ...splitEnvironment(app.env),
  };
}

/**
 * The written strategy, else `recreate` where two containers of one slot must
 * never run at once: a fixed host port (the second could not bind it), or a
 * per-slot volume with no hostnames (a database: two servers on one data
 * directory corrupt it, and nothing routed needs the overlap).
 */
export function rolloutStrategyOf(app: AppFile): RolloutStrategy {
  if (app.rollout.strategy) return app.rollout.strategy;
  const perSlotVolume = app.volumes?.some((v) => v.name !== undefined && v.shared !== true) ?? false;
  return app.hostPort !== undefined || (perSlotVolume && app.hostnames.length === 0) ? "recreate" : "start-first";
}
