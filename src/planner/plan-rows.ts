import type { AppChange, SlotChange } from "../model/index.js";
import { imageDetail } from "./image-detail.js";

export type RowSymbol = "+" | "~" | "-" | "→" | "!";

/** One line of a rendered plan; the text and markdown renderers lay these out differently. */
export interface PlanRow {
  symbol: RowSymbol;
  action: "create" | "replace" | "remove" | "hostnames" | "image" | "hook" | "error";
  app: string;
  env: string;
  /** `slot 3`, or empty for app-wide rows. */
  slot: string;
  /** `beta`, or `gamma → beta` when the slot moves; empty for app-wide rows. */
  host: string;
  detail: string;
}

const SLOT_SYMBOLS = { create: "+", replace: "~", remove: "-" } as const;

/**
 * Where an app's beforeDeploy hook runs: the host of its first new container
 * (which has the image by then). Undefined when no container starts, and then
 * the hook does not run either.
 */
export function hookHost(change: AppChange): string | undefined {
  const first = change.steps.find((s) => s.kind === "start");
  return first?.kind === "start" ? first.container.host : undefined;
}

/** The rows of one app; an unchanged app has none. */
export function appRows(change: AppChange): PlanRow[] {
  const { app, env } = change;
  if (change.error !== undefined) {
    return [{ symbol: "!", action: "error", app, env, slot: "", host: "", detail: change.error }];
  }
  const rows: PlanRow[] = [];
  const image = imageDetail(change.steps);
  if (image !== undefined) {
    const git = change.spec?.build?.git;
    // A build from the app's own repository says which commit of it, as the deploy repo's commit heads the plan.
    const detail = git ? `${image} (from ${git.url} at ${git.sha.slice(0, 12)})` : image;
    rows.push({ symbol: "→", action: "image", app, env, slot: "", host: "", detail });
  }
  const hook = change.spec?.hooks?.beforeDeploy;
  const hookAt = hookHost(change);
  if (hook && hookAt !== undefined) {
    const detail = `beforeDeploy: ${hook.join(" ")} (one-off container of the new image, before any slot rolls)`;
    rows.push({ symbol: "→", action: "hook", app, env, slot: "", host: hookAt, detail });
  }
  for (const s of change.slots) {
    if (s.action === "keep") continue;
    const host = s.old && s.old.host !== s.host && s.action === "replace" ? `${s.old.host} → ${s.host}` : s.host;
    const detail = s.reasons.join(", ");
    rows.push({ symbol: SLOT_SYMBOLS[s.action], action: s.action, app, env, slot: slotLabel(s), host, detail });
  }
  if (change.hostnames) {
    const detail = hostnamesDetail(change.hostnames.before, change.hostnames.after);
    rows.push({ symbol: "→", action: "hostnames", app, env, slot: "", host: "", detail });
  }
  return rows;
}

function slotLabel(s: SlotChange): string {
  return Number.isInteger(s.slot) && s.slot >= 0 ? `slot ${s.slot}` : "slot ?";
}

function hostnamesDetail(before: readonly string[], after: readonly string[]): string {
  const list = (names: readonly string[]) => (names.length > 0 ? names.join(", ") : "(none)");
  return `${list(before)} → ${list(after)}`;
}
