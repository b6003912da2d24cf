import { routeKey } from "../model/index.js";
import type { AppDraft } from "./draft.js";
import type { PlanContext } from "./plan-context.js";

/** Hostname ─▶ route key of the app serving it now (empty when the route table is unknown). */
export function hostnameHolders(ctx: PlanContext): Map<string, string> {
  const holders = new Map<string, string>();
  for (const r of ctx.routes?.values() ?? []) for (const h of r.hostnames) holders.set(h, routeKey(r.env, r.app));
  return holders;
}

/** Whether the app wants a hostname another app serves now. */
export function takesHostname(draft: AppDraft, holders: ReadonlyMap<string, string>): boolean {
  return (draft.spec?.hostnames ?? []).some((h) => {
    const holder = holders.get(h);
    return holder !== undefined && holder !== draft.key;
  });
}

/**
 * An app may take a hostname another app serves now only if that app gives it
 * up in this same plan. When the holder keeps it (it is outside this plan's
 * environments, or it cannot be planned), taking it would serve one hostname
 * from two apps: the taker is an error instead. An erroring taker keeps its
 * own hostnames, which can stop another taker: repeated until nothing changes.
 * Adds to `errors`.
 */
export function addHostnameConflicts(
  drafts: readonly AppDraft[],
  holders: ReadonlyMap<string, string>,
  errors: Map<AppDraft, string>,
): void {
  const takers = drafts.filter((d) => takesHostname(d, holders));
  if (takers.length === 0) return;
  const byKey = new Map(drafts.map((d) => [d.key, d]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const d of takers) {
      if (errors.has(d)) continue;
      const conflict = keptHostname(d, holders, byKey, errors);
      if (conflict) {
        errors.set(d, conflict);
        changed = true;
      }
    }
  }
}

function keptHostname(
  d: AppDraft,
  holders: ReadonlyMap<string, string>,
  byKey: ReadonlyMap<string, AppDraft>,
  errors: ReadonlyMap<AppDraft, string>,
): string | undefined {
  for (const hostname of d.spec?.hostnames ?? []) {
    const holderKey = holders.get(hostname);
    if (holderKey === undefined || holderKey === d.key) continue;
    const holder = byKey.get(holderKey);
    if (!holder || errors.has(holder) || holder.spec?.hostnames.includes(hostname)) {
      const [env, app] = splitKey(holderKey);
      return `hostname ${hostname} is served by ${app} (${env}), which keeps it in this plan`;
    }
  }
  return undefined;
}

function splitKey(key: string): [string, string] {
  const at = key.indexOf("/");
  return [key.slice(0, at), key.slice(at + 1)];
}
