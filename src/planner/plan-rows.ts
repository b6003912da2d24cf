import type { AppChange, SlotChange } from "../model/index.js";

export type RowSymbol = "+" | "~" | "-" | "→" | "!";

/** One line of a rendered plan; the text and markdown renderers lay these out differently. */
export interface PlanRow {
  symbol: RowSymbol;
  action: "create" | "replace" | "remove" | "hostnames" | "error";
  app: string;
  env: string;
  /** `slot 3`, or empty for app-wide rows. */
  slot: string;
  /** `beta`, or `gamma → beta` when the slot moves; empty for app-wide rows. */
  host: string;
  detail: string;
}

const SLOT_SYMBOLS = { create: "+", replace: "~", remove: "-" } as const;

/** The rows of one app; an unchanged app has none. */
export function appRows(change: AppChange): PlanRow[] {
  const { app, env } = change;
  if (change.error !== undefined) {
    return [{ symbol: "!", action: "error", app, env, slot: "", host: "", detail: change.error }];
  }
  const rows: PlanRow[] = [];
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
