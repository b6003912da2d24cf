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
  const base = { app: change.app, env: change.env };
  if (change.error !== undefined) {
    return [{ ...base, symbol: "!", action: "error", slot: "", host: "", detail: change.error }];
  }
  const rows: PlanRow[] = [];
  for (const s of change.slots) {
    if (s.action === "keep") continue;
    const host = s.old && s.old.host !== s.host && s.action === "replace" ? `${s.old.host} → ${s.host}` : s.host;
    rows.push({
      ...base,
      symbol: SLOT_SYMBOLS[s.action],
      action: s.action,
      slot: slotLabel(s),
      host,
      detail: s.reasons.join(", "),
    });
  }
  if (change.hostnames) {
    const { before, after } = change.hostnames;
    rows.push({ ...base, symbol: "→", action: "hostnames", slot: "", host: "", detail: hostnamesDetail(before, after) });
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
