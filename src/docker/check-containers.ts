/**
 * The host check's own short-lived containers: named and labelled as such
 * (`dockhand.check`, never `dockhand.managed`, so no sync sees them), and
 * swept when a check that died (SIGKILL, a lost machine) left one behind.
 */
import { randomBytes } from "node:crypto";
import { LABELS } from "../model/index.js";
import type { Engine } from "./connect-engine.js";
import { removeContainer } from "./container-ops.js";
import { DOCKER_DEFAULTS } from "./docker-defaults.js";
import { engineCall } from "./engine-call.js";

export type CheckKind = "address" | "disk";

export function checkContainerName(kind: CheckKind): string {
  return `dockhand-check-${kind}-${randomBytes(6).toString("hex")}`;
}

export function checkLabels(instance: string, kind: CheckKind): Record<string, string> {
  return { [LABELS.instance]: instance, [LABELS.check]: kind };
}

/**
 * Remove this instance's check containers older than DOCKER_DEFAULTS.staleCheckMs,
 * by the engine's clock (`engineNow`), so a skewed clock here cannot remove a
 * running check's container. Best effort: a failure leaves them for next time.
 */
export async function sweepCheckContainers(engine: Engine, instance: string, engineNow: number): Promise<number> {
  const filters = { label: [LABELS.check, `${LABELS.instance}=${instance}`] };
  try {
    const listed = await engineCall(engine, "list check containers", (abortSignal) =>
      engine.docker.listContainers({ all: true, filters, abortSignal }),
    );
    const stale = listed.filter((c) => c.Created * 1000 < engineNow - DOCKER_DEFAULTS.staleCheckMs);
    for (const c of stale) await removeContainer(engine, c.Id);
    return stale.length;
  } catch {
    return 0;
  }
}
