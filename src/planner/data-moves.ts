import type { AppDraft } from "./draft.js";

/**
 * A slot with per-slot volumes that moves to another host leaves its data
 * behind: Docker volumes live on one engine. Starting the app there on an
 * empty volume silently loses that data (an empty database), so such a move
 * is an error on the app unless allowed (`placement.allowDataMove`, or
 * `dockhand apply --allow-data-move`); allowed, it is a warning. Returns the warnings.
 */
export function checkDataMoves(drafts: readonly AppDraft[], allowAll: boolean): string[] {
  const warnings: string[] = [];
  for (const d of drafts) {
    const volumes = (d.spec?.volumes ?? []).flatMap((v) => (v.kind === "volume" && !v.shared ? [v.name] : []));
    if (volumes.length === 0 || d.error !== undefined) continue;
    const moves = d.slots.filter((s) => s.from !== undefined && s.host !== undefined && s.host !== s.from);
    if (moves.length === 0) continue;
    const named = `${volumes.length === 1 ? "volume" : "volumes"} ${volumes.map((v) => `"${v}"`).join(", ")}`;
    const what = moves.map((s) => `slot ${s.slot} ${s.from} → ${s.host}`).join(", ");
    const stays = `its ${named} ${volumes.length === 1 ? "does" : "do"} not move with it: the new container starts on an empty one`;
    if (allowAll || d.spec?.placement.allowDataMove === true) {
      warnings.push(`app ${d.app} (${d.env}) moves ${what}: ${stays} (allowed)`);
    } else {
      d.error = `moving ${what} would lose data: ${stays}. Copy the data over first, then allow it with placement.allowDataMove: true or dockhand apply --allow-data-move`;
    }
  }
  return warnings;
}
