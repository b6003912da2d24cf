import { routeKey } from "../model/index.js";
import type { AppDraft } from "./draft.js";
import type { PlanContext } from "./plan-context.js";

/**
 * An app may take a hostname another app serves now only if that app gives it
 * up in this same plan. When the holder keeps it (it is out of this plan's
 * environments, or it cannot be planned), taking it would serve one hostname
 * from two apps: the taker is an error instead. Returns the new errors.
 */
export function hostnameConflicts(
  ctx: PlanContext,
  drafts: readonly AppDraft[],
  errors: ReadonlyMap<AppDraft, string>,
): Map<AppDraft, string> {
  const found = new Map<AppDraft, string>();
  if (!ctx.routes) return found;
  const holders = new Map<string, { env: string; app: string }>();
  for (const r of ctx.routes.values()) for (const h of r.hostnames) holders.set(h, r);
  const byKey = new Map(drafts.map((d) => [routeKey(d.env, d.app), d]));
  for (const d of drafts) {
    if (!d.spec || errors.has(d)) continue;
    for (const hostname of d.spec.hostnames) {
      const holder = holders.get(hostname);
      if (!holder || (holder.env === d.env && holder.app === d.app)) continue;
      const holderDraft = byKey.get(routeKey(holder.env, holder.app));
      const keeps = !holderDraft || errors.has(holderDraft) || holderDraft.spec?.hostnames.includes(hostname);
      if (keeps) {
        found.set(d, `hostname ${hostname} is served by ${holder.app} (${holder.env}), which keeps it in this plan`);
        break;
      }
    }
  }
  return found;
}
